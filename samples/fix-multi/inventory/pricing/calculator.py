"""Order totals."""

from dataclasses import dataclass
from decimal import Decimal

from ..utils.money import round_money
from .discounts import discount_for
from .shipping import shipping_for
from .tax import tax_for


@dataclass(frozen=True)
class Totals:
    """The money breakdown of an order. Every field is rounded to the cent."""

    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    shipping: Decimal
    total: Decimal


def line_total(line):
    """Unit price times quantity, rounded to the cent."""
    return round_money(line.product.price * line.quantity)


def compute_totals(order):
    """Compute the totals of an order.

    The discount applies to the subtotal; tax applies to the discounted
    merchandise; shipping is neither discounted nor taxed.
    """
    subtotal = sum((line_total(line) for line in order.lines), Decimal("0.00"))
    discount = discount_for(subtotal, order.customer.tier)
    merchandise = subtotal - discount
    tax = tax_for(merchandise, order.customer.region)
    shipping = shipping_for(order.weight_grams, merchandise)
    total = round_money(merchandise + tax + shipping)
    return Totals(subtotal, discount, tax, shipping, total)
