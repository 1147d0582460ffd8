"""Orders and their lines."""

from dataclasses import dataclass, field

from .customer import Customer
from .product import Product


@dataclass(frozen=True)
class OrderLine:
    """A quantity of one product."""

    product: Product
    quantity: int

    def __post_init__(self):
        if self.quantity <= 0:
            raise ValueError("quantity must be positive")

    @property
    def weight_grams(self):
        return self.product.weight_grams * self.quantity


@dataclass
class Order:
    """A customer's order."""

    order_id: str
    customer: Customer
    lines: list = field(default_factory=list)

    def add(self, product, quantity):
        """Add a line, merging it with an existing line for the same SKU."""
        for i, line in enumerate(self.lines):
            if line.product.sku == product.sku:
                self.lines[i] = OrderLine(product, line.quantity + quantity)
                return self
        self.lines.append(OrderLine(product, quantity))
        return self

    @property
    def weight_grams(self):
        return sum(line.weight_grams for line in self.lines)
