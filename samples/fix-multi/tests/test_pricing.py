import unittest
from decimal import Decimal

from inventory.errors import UnknownRegionError
from inventory.pricing.discounts import discount_for, discount_rate
from inventory.pricing.shipping import shipping_for
from inventory.pricing.tax import tax_for, tax_rate


class TaxTests(unittest.TestCase):
    def test_rate_is_a_fraction(self):
        self.assertEqual(tax_rate("CA"), Decimal("0.0725"))
        self.assertEqual(tax_rate("ny"), Decimal("0.04"))

    def test_unknown_region(self):
        with self.assertRaises(UnknownRegionError):
            tax_rate("ZZ")

    def test_tax_on_round_amount(self):
        self.assertEqual(tax_for("100.00", "CA"), Decimal("7.25"))

    def test_tax_is_rounded_half_up(self):
        self.assertEqual(tax_for("19.99", "CA"), Decimal("1.45"))

    def test_tax_free_region(self):
        self.assertEqual(tax_for("10.00", "OR"), Decimal("0.00"))


class DiscountTests(unittest.TestCase):
    def test_tier_rates(self):
        self.assertEqual(discount_rate("bronze"), Decimal("0"))
        self.assertEqual(discount_rate("gold"), Decimal("0.1"))

    def test_discount_is_rounded_half_up(self):
        self.assertEqual(discount_for("59.97", "silver"), Decimal("3.00"))


class ShippingTests(unittest.TestCase):
    def test_minimum_applies_to_light_parcels(self):
        self.assertEqual(shipping_for(1001, "20.00"), Decimal("4.99"))

    def test_per_started_kilogram(self):
        self.assertEqual(shipping_for(5500, "20.00"), Decimal("7.20"))

    def test_free_above_threshold(self):
        self.assertEqual(shipping_for(5500, "150.00"), Decimal("0.00"))


if __name__ == "__main__":
    unittest.main()
