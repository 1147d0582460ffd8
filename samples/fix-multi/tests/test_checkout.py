import unittest
from decimal import Decimal

from inventory.errors import OutOfStockError
from inventory.formatters.report import render_invoice
from inventory.services.checkout import checkout, order_from_text
from inventory.services.warehouse import Warehouse
from tests.fixtures import ADA, GRACE, catalogue


def stocked_warehouse():
    warehouse = Warehouse()
    for sku in ("MUG-0001", "TEE-0002", "BAG-0003", "LMP-0004", "PEN-0005"):
        warehouse.receive(sku, 10)
    return warehouse


class WarehouseTests(unittest.TestCase):
    def test_reserve_release_ship(self):
        warehouse = stocked_warehouse()
        warehouse.reserve("MUG-0001", 4)
        self.assertEqual(warehouse.available("MUG-0001"), 6)
        warehouse.release("MUG-0001", 1)
        warehouse.ship("MUG-0001", 3)
        self.assertEqual(warehouse.available("MUG-0001"), 7)

    def test_unknown_sku_has_nothing_available(self):
        self.assertEqual(Warehouse().available("ZZZ-9999"), 0)


class CheckoutTests(unittest.TestCase):
    def setUp(self):
        self.products = catalogue()

    def test_invoice_for_text_order(self):
        order = order_from_text("O-100", ADA, "MUG-0001 x 3\nLMP-0004 x 1\n", self.products)
        invoice = checkout(order, stocked_warehouse())
        self.assertEqual(invoice.totals.total, Decimal("86.04"))
        report = render_invoice(invoice)
        self.assertIn("Invoice O-100 for Ada Lovelace", report)
        self.assertIn("Tax       $5.48", report)
        self.assertIn("Total     $86.04", report)

    def test_tax_and_discount_for_silver_customer(self):
        order = order_from_text("O-101", GRACE, "TEE-0002 x 3\nPEN-0005 x 2\n", self.products)
        invoice = checkout(order, stocked_warehouse())
        self.assertEqual(invoice.totals.subtotal, Decimal("63.47"))
        self.assertEqual(invoice.totals.discount, Decimal("3.17"))
        self.assertEqual(invoice.totals.tax, Decimal("2.41"))
        self.assertEqual(invoice.totals.total, Decimal("67.70"))

    def test_out_of_stock_releases_earlier_lines(self):
        warehouse = stocked_warehouse()
        order = order_from_text("O-102", ADA, "MUG-0001 x 2\nLMP-0004 x 11\n", self.products)
        with self.assertRaises(OutOfStockError):
            checkout(order, warehouse)
        self.assertEqual(warehouse.available("MUG-0001"), 10)


if __name__ == "__main__":
    unittest.main()
