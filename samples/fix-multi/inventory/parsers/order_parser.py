"""Order lines: one ``SKU x QUANTITY`` per line; blank lines and ``#`` comments are ignored."""

import re

from ..errors import ParseError

LINE_PATTERN = re.compile(r"^\s*([A-Z]{3}-\d{4})\s*[xX]\s*(\d+)\s*$")


def parse_order_lines(text):
    """Return a list of (sku, quantity) pairs."""
    items = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        match = LINE_PATTERN.match(line)
        if not match:
            raise ParseError(number, f"expected 'SKU x QUANTITY', got {raw.strip()!r}")
        quantity = int(match.group(2))
        if quantity == 0:
            raise ParseError(number, "quantity must be positive")
        items.append((match.group(1), quantity))
    return items
