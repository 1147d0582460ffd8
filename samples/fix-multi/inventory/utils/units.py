"""Unit conversions: weights, percentages and basis points."""

import math
from decimal import Decimal

from .money import to_decimal

GRAMS_PER_KILOGRAM = 1000
GRAMS_PER_POUND = Decimal("453.59237")


def percent_to_rate(percent):
    """Convert a percentage to a rate: 7.5 -> 0.075."""
    return to_decimal(percent) / Decimal(100)


def basis_points_to_rate(basis_points):
    """Convert basis points to a rate: 725 -> 0.0725 (1 bp = 0.01 %)."""
    return to_decimal(basis_points) / Decimal(10000)


def rate_to_percent(rate):
    """Convert a rate to a percentage: 0.075 -> 7.5."""
    return to_decimal(rate) * Decimal(100)


def grams_to_kilograms(grams):
    """Convert grams to Decimal kilograms."""
    return Decimal(grams) / GRAMS_PER_KILOGRAM


def started_kilograms(grams):
    """Count started kilograms: 1 g -> 1, 1000 g -> 1, 1001 g -> 2, 0 g -> 0."""
    return math.ceil(grams / GRAMS_PER_KILOGRAM)


def pounds_to_grams(pounds):
    """Convert pounds to whole grams, rounding to the nearest gram."""
    return int((to_decimal(pounds) * GRAMS_PER_POUND).to_integral_value())
