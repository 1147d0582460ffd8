"""Argument validation shared by the models and parsers."""

import re

SKU_PATTERN = re.compile(r"^[A-Z]{3}-\d{4}$")


def require_sku(sku):
    """Raise ValueError unless ``sku`` looks like ``ABC-1234``."""
    if not isinstance(sku, str) or not SKU_PATTERN.match(sku):
        raise ValueError(f"invalid SKU {sku!r}; expected three capitals, a dash and four digits")
    return sku


def require_positive(value, name):
    """Raise ValueError unless ``value`` is greater than zero."""
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value
