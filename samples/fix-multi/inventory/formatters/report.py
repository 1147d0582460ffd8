"""Invoice reports."""

from .currency import format_money
from .table import render_table


def render_invoice(invoice):
    """Render an invoice (see services.checkout.Invoice) as text."""
    rows = [
        (line.product.sku, line.product.name, line.quantity, format_money(line.product.price), format_money(total))
        for line, total in invoice.lines
    ]
    table = render_table(("SKU", "Item", "Qty", "Unit", "Amount"), rows, align="llrrr")
    totals = invoice.totals
    summary = [
        ("Subtotal", format_money(totals.subtotal)),
        ("Discount", format_money(-totals.discount)),
        ("Tax", format_money(totals.tax)),
        ("Shipping", format_money(totals.shipping)),
        ("Total", format_money(totals.total)),
    ]
    width = max(len(label) for label, _ in summary) + 2
    summary_lines = [f"{label.ljust(width)}{value}" for label, value in summary]
    header = f"Invoice {invoice.order_id} for {invoice.customer_name}"
    return "\n".join([header, "", table, ""] + summary_lines)
