"""Stock levels."""

from dataclasses import dataclass


@dataclass
class StockItem:
    """Units on hand for one SKU, and how many of them are reserved by open orders."""

    sku: str
    on_hand: int
    reserved: int = 0

    @property
    def available(self):
        """Units that can still be reserved."""
        return self.on_hand - self.reserved
