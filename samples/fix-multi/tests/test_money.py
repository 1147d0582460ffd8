import unittest
from decimal import Decimal

from inventory.utils.money import allocate, from_cents, round_money, to_cents, to_decimal
from inventory.utils.units import (
    basis_points_to_rate,
    percent_to_rate,
    pounds_to_grams,
    rate_to_percent,
    started_kilograms,
)


class RoundMoneyTests(unittest.TestCase):
    def test_rounds_half_away_from_zero(self):
        self.assertEqual(round_money("2.675"), Decimal("2.68"))
        self.assertEqual(round_money("-2.675"), Decimal("-2.68"))

    def test_rounds_down_below_half(self):
        self.assertEqual(round_money("2.674"), Decimal("2.67"))

    def test_pads_integers_to_cents(self):
        self.assertEqual(round_money(3), Decimal("3.00"))

    def test_floats_are_refused(self):
        with self.assertRaises(TypeError):
            to_decimal(0.1)


class CentsTests(unittest.TestCase):
    def test_to_cents_rounds_like_round_money(self):
        self.assertEqual(to_cents("19.995"), 2000)
        self.assertEqual(to_cents("19.99"), 1999)

    def test_from_cents(self):
        self.assertEqual(from_cents(1999), Decimal("19.99"))

    def test_allocate_spreads_remainder_over_first_parts(self):
        self.assertEqual(allocate("10.00", 3), [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")])
        self.assertEqual(sum(allocate("0.05", 4)), Decimal("0.05"))


class UnitsTests(unittest.TestCase):
    def test_percent_and_basis_points(self):
        self.assertEqual(percent_to_rate("7.5"), Decimal("0.075"))
        self.assertEqual(basis_points_to_rate(725), Decimal("0.0725"))
        self.assertEqual(rate_to_percent("0.0725"), Decimal("7.25"))

    def test_started_kilograms(self):
        self.assertEqual(started_kilograms(0), 0)
        self.assertEqual(started_kilograms(1), 1)
        self.assertEqual(started_kilograms(1000), 1)
        self.assertEqual(started_kilograms(1001), 2)

    def test_pounds_to_grams(self):
        self.assertEqual(pounds_to_grams(1), 454)
        self.assertEqual(pounds_to_grams("2.5"), 1134)


if __name__ == "__main__":
    unittest.main()
