"""Currency formatting."""

from ..utils.money import round_money


def format_money(amount, symbol="$"):
    """Format an amount with a thousands separator and two decimals: 1234.5 -> $1,234.50."""
    value = round_money(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.2f}"
