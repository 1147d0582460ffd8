import unittest

from inventory.formatters.currency import format_money
from inventory.formatters.table import render_table


class CurrencyTests(unittest.TestCase):
    def test_thousands_separator(self):
        self.assertEqual(format_money("1234.5"), "$1,234.50")

    def test_negative_amounts(self):
        self.assertEqual(format_money("-3"), "-$3.00")

    def test_rounds_half_up(self):
        self.assertEqual(format_money("2.675"), "$2.68")


class TableTests(unittest.TestCase):
    def test_alignment(self):
        text = render_table(("Item", "Qty"), [("mug", 3), ("lamp", 12)], align="lr")
        self.assertEqual(text.splitlines(), ["Item  Qty", "----  ---", "mug     3", "lamp   12"])

    def test_align_must_match_columns(self):
        with self.assertRaises(ValueError):
            render_table(("a", "b"), [], align="l")


if __name__ == "__main__":
    unittest.main()
