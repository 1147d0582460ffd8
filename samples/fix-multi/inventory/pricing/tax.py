"""Sales tax by region."""

from ..errors import UnknownRegionError
from ..utils import units
from ..utils.money import round_money, to_decimal
from .rates import TAX_RATES_BP


def tax_rate(region):
    """Return the sales tax rate of a region as a Decimal fraction (CA -> 0.0725)."""
    try:
        rate = TAX_RATES_BP[region.upper()]
    except KeyError:
        raise UnknownRegionError(region) from None
    return units.percent_to_rate(rate)


def tax_for(amount, region):
    """Return the tax on ``amount`` in ``region``, rounded to the cent."""
    return round_money(to_decimal(amount) * tax_rate(region))
