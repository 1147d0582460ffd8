"""Loyalty discounts."""

from ..utils import units
from ..utils.money import round_money, to_decimal
from .rates import TIER_DISCOUNT_PERCENT


def discount_rate(tier):
    """Return the discount rate of a loyalty tier (gold -> 0.10)."""
    return units.percent_to_rate(TIER_DISCOUNT_PERCENT[tier])


def discount_for(amount, tier):
    """Return the discount on ``amount`` for ``tier``, rounded to the cent."""
    return round_money(to_decimal(amount) * discount_rate(tier))
