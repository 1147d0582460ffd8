"""Products of the catalogue."""

from dataclasses import dataclass
from decimal import Decimal

from ..utils.validation import require_positive, require_sku


@dataclass(frozen=True)
class Product:
    """A catalogue product.

    ``price`` is the unit price in dollars; ``weight_grams`` the shipping weight of one unit.
    """

    sku: str
    name: str
    price: Decimal
    weight_grams: int

    def __post_init__(self):
        require_sku(self.sku)
        require_positive(self.price, "price")
        require_positive(self.weight_grams, "weight_grams")
