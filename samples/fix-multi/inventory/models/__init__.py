"""Plain data classes."""

from .customer import Customer
from .order import Order, OrderLine
from .product import Product
from .stock import StockItem

__all__ = ["Customer", "Order", "OrderLine", "Product", "StockItem"]
