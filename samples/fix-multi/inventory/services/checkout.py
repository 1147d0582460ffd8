"""Checkout: reserve stock and build the invoice."""

from dataclasses import dataclass

from ..errors import OutOfStockError
from ..models.order import Order
from ..parsers.order_parser import parse_order_lines
from ..pricing.calculator import Totals, compute_totals, line_total


@dataclass(frozen=True)
class Invoice:
    order_id: str
    customer_name: str
    lines: list
    totals: Totals


def checkout(order, warehouse):
    """Reserve stock for every line, then price the order.

    Reservations are all-or-nothing: when one line is out of stock, the lines
    reserved before it are released and OutOfStockError propagates.
    """
    reserved = []
    try:
        for line in order.lines:
            warehouse.reserve(line.product.sku, line.quantity)
            reserved.append(line)
    except OutOfStockError:
        for line in reserved:
            warehouse.release(line.product.sku, line.quantity)
        raise
    lines = [(line, line_total(line)) for line in order.lines]
    return Invoice(order.order_id, order.customer.name, lines, compute_totals(order))


def order_from_text(order_id, customer, text, catalogue):
    """Build an Order from order-line text and a catalogue (dict of Product by SKU)."""
    order = Order(order_id, customer)
    for sku, quantity in parse_order_lines(text):
        if sku not in catalogue:
            raise KeyError(f"unknown SKU {sku}")
        order.add(catalogue[sku], quantity)
    return order
