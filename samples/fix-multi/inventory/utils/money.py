"""Money helpers.

Amounts are ``Decimal`` dollars. Floats are refused: ``0.1 + 0.2`` is not ``0.3``.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_decimal(value):
    """Convert an int, str or Decimal to Decimal; floats raise TypeError."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not accepted for money; pass a str or a Decimal")
    return Decimal(str(value))


def round_money(amount):
    """Round an amount to whole cents, half away from zero (2.675 -> 2.68, -2.675 -> -2.68)."""
    return to_decimal(amount).quantize(CENT, rounding=ROUND_DOWN)


def to_cents(amount):
    """Return the amount as an integer number of cents, rounded like round_money."""
    return int(round_money(amount) * 100)


def from_cents(cents):
    """Return an integer number of cents as Decimal dollars."""
    return (Decimal(cents) / 100).quantize(CENT)


def allocate(total, parts):
    """Split ``total`` into ``parts`` amounts that add up to it exactly.

    Every part gets the total divided by ``parts`` rounded down to the cent; the
    remaining cents go one by one to the first parts.
    """
    if parts <= 0:
        raise ValueError("parts must be positive")
    total = to_decimal(total)
    base = (total / parts).quantize(CENT, rounding=ROUND_DOWN)
    shares = [base] * parts
    remainder = int((total - base * parts) / CENT)
    for i in range(remainder):
        shares[i] += CENT
    return shares
