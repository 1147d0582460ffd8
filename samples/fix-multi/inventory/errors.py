"""Exceptions raised by the inventory package."""


class InventoryError(Exception):
    """Base class of every error raised by this package."""


class OutOfStockError(InventoryError):
    """Raised when a reservation asks for more units than are available."""

    def __init__(self, sku, requested, available):
        super().__init__(f"{sku}: requested {requested}, only {available} available")
        self.sku = sku
        self.requested = requested
        self.available = available


class UnknownRegionError(InventoryError):
    """Raised for a region code that has no tax rate."""

    def __init__(self, region):
        super().__init__(f"unknown region {region!r}")
        self.region = region


class ParseError(InventoryError):
    """Raised when an input line cannot be parsed."""

    def __init__(self, line_number, message):
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number
