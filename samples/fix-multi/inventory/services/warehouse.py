"""Stock reservations."""

from ..errors import OutOfStockError
from ..models.stock import StockItem


class Warehouse:
    """Tracks stock and reservations by SKU."""

    def __init__(self):
        self._items = {}

    def receive(self, sku, quantity):
        """Add received units to the stock of ``sku``."""
        item = self._items.setdefault(sku, StockItem(sku, 0))
        item.on_hand += quantity

    def available(self, sku):
        item = self._items.get(sku)
        return item.available if item else 0

    def reserve(self, sku, quantity):
        """Reserve units for an order; raises OutOfStockError when not enough are available."""
        available = self.available(sku)
        if quantity > available:
            raise OutOfStockError(sku, quantity, available)
        self._items[sku].reserved += quantity

    def release(self, sku, quantity):
        """Give back reserved units (a cancelled order)."""
        item = self._items[sku]
        item.reserved = max(0, item.reserved - quantity)

    def ship(self, sku, quantity):
        """Remove shipped units: they leave both the reservation and the stock."""
        item = self._items[sku]
        if quantity > item.reserved:
            raise ValueError(f"{sku}: cannot ship {quantity}, only {item.reserved} reserved")
        item.reserved -= quantity
        item.on_hand -= quantity
