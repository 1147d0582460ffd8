"""Shipping prices."""

from decimal import Decimal

from ..utils.money import round_money, to_decimal
from ..utils.units import started_kilograms
from .rates import FREE_SHIPPING_THRESHOLD, SHIPPING_MINIMUM, SHIPPING_PER_KILOGRAM


def shipping_for(weight_grams, merchandise_total):
    """Price shipping per started kilogram, with a minimum and a free-shipping threshold."""
    if to_decimal(merchandise_total) >= FREE_SHIPPING_THRESHOLD:
        return Decimal("0.00")
    price = SHIPPING_PER_KILOGRAM * started_kilograms(weight_grams)
    return round_money(max(price, SHIPPING_MINIMUM))
