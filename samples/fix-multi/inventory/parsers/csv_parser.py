"""The product catalogue format: ``sku,name,price,weight_grams`` with a header row."""

import csv
import io

from ..errors import ParseError
from ..models.product import Product
from ..utils.money import to_decimal

EXPECTED_HEADER = ["sku", "name", "price", "weight_grams"]


def parse_catalogue(text):
    """Parse catalogue CSV text into a dict of Product by SKU."""
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows or [h.strip() for h in rows[0]] != EXPECTED_HEADER:
        raise ParseError(1, f"expected header {','.join(EXPECTED_HEADER)}")
    products = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != 4:
            raise ParseError(number, f"expected 4 fields, got {len(row)}")
        sku, name, price, weight = (cell.strip() for cell in row)
        try:
            product = Product(sku, name, to_decimal(price), int(weight))
        except (ValueError, ArithmeticError) as error:
            raise ParseError(number, str(error)) from None
        if sku in products:
            raise ParseError(number, f"duplicate SKU {sku}")
        products[sku] = product
    return products
