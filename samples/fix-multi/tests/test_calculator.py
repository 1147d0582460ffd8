import unittest
from decimal import Decimal

from inventory.models import Order
from inventory.pricing.calculator import compute_totals, line_total
from tests.fixtures import ADA, GRACE, KEN, catalogue


class CalculatorTests(unittest.TestCase):
    def setUp(self):
        self.products = catalogue()

    def test_line_total(self):
        order = Order("O-1", KEN).add(self.products["PEN-0005"], 3)
        self.assertEqual(line_total(order.lines[0]), Decimal("5.25"))

    def test_bronze_customer_in_tax_free_region(self):
        order = Order("O-2", KEN).add(self.products["TEE-0002"], 2)
        totals = compute_totals(order)
        self.assertEqual(totals.subtotal, Decimal("39.98"))
        self.assertEqual(totals.discount, Decimal("0.00"))
        self.assertEqual(totals.tax, Decimal("0.00"))
        self.assertEqual(totals.shipping, Decimal("4.99"))
        self.assertEqual(totals.total, Decimal("44.97"))

    def test_gold_customer_in_california(self):
        order = Order("O-3", ADA).add(self.products["MUG-0001"], 3).add(self.products["LMP-0004"], 1)
        totals = compute_totals(order)
        self.assertEqual(totals.subtotal, Decimal("83.97"))
        self.assertEqual(totals.discount, Decimal("8.40"))
        self.assertEqual(totals.tax, Decimal("5.48"))
        self.assertEqual(totals.shipping, Decimal("4.99"))
        self.assertEqual(totals.total, Decimal("86.04"))

    def test_free_shipping_over_threshold(self):
        order = Order("O-4", GRACE).add(self.products["LMP-0004"], 4)
        totals = compute_totals(order)
        self.assertEqual(totals.subtotal, Decimal("180.00"))
        self.assertEqual(totals.discount, Decimal("9.00"))
        self.assertEqual(totals.tax, Decimal("6.84"))
        self.assertEqual(totals.shipping, Decimal("0.00"))
        self.assertEqual(totals.total, Decimal("177.84"))

    def test_adding_same_sku_merges_lines(self):
        order = Order("O-5", KEN).add(self.products["PEN-0005"], 1).add(self.products["PEN-0005"], 2)
        self.assertEqual(len(order.lines), 1)
        self.assertEqual(order.lines[0].quantity, 3)


if __name__ == "__main__":
    unittest.main()
