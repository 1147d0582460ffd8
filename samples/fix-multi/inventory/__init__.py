"""Inventory and pricing: products, stock, orders and checkout."""

from .errors import InventoryError, OutOfStockError, ParseError, UnknownRegionError

__all__ = ["InventoryError", "OutOfStockError", "ParseError", "UnknownRegionError"]
__version__ = "0.4.2"
