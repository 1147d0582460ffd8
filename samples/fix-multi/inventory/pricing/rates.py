"""Rate tables.

Tax rates are in basis points (1 bp = 0.01 %). Discounts are in percent.
Shipping prices are dollars per started kilogram.
"""

from decimal import Decimal

TAX_RATES_BP = {
    "CA": 725,
    "DE": 0,
    "FL": 600,
    "IL": 625,
    "NY": 400,
    "OR": 0,
    "TX": 625,
    "WA": 650,
}

TIER_DISCOUNT_PERCENT = {
    "bronze": 0,
    "silver": 5,
    "gold": 10,
    "platinum": 15,
}

SHIPPING_PER_KILOGRAM = Decimal("1.20")
SHIPPING_MINIMUM = Decimal("4.99")
FREE_SHIPPING_THRESHOLD = Decimal("150.00")
