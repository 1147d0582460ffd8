import unittest
from decimal import Decimal

from inventory.errors import ParseError
from inventory.parsers.csv_parser import parse_catalogue
from inventory.parsers.order_parser import parse_order_lines
from tests.fixtures import CATALOGUE_CSV


class CatalogueTests(unittest.TestCase):
    def test_parses_products(self):
        products = parse_catalogue(CATALOGUE_CSV)
        self.assertEqual(len(products), 5)
        self.assertEqual(products["BAG-0003"].price, Decimal("24.50"))
        self.assertEqual(products["LMP-0004"].weight_grams, 1800)

    def test_rejects_wrong_header(self):
        with self.assertRaises(ParseError):
            parse_catalogue("sku,price\nMUG-0001,1.00\n")

    def test_rejects_duplicate_sku(self):
        text = "sku,name,price,weight_grams\nMUG-0001,a,1.00,10\nMUG-0001,b,2.00,10\n"
        with self.assertRaises(ParseError) as caught:
            parse_catalogue(text)
        self.assertEqual(caught.exception.line_number, 3)

    def test_rejects_invalid_sku(self):
        with self.assertRaises(ParseError):
            parse_catalogue("sku,name,price,weight_grams\nmug-1,a,1.00,10\n")


class OrderLineTests(unittest.TestCase):
    def test_parses_lines_and_skips_comments(self):
        text = "# weekly restock\nMUG-0001 x 3\n\nPEN-0005 X 10  # pens\n"
        self.assertEqual(parse_order_lines(text), [("MUG-0001", 3), ("PEN-0005", 10)])

    def test_rejects_malformed_line(self):
        with self.assertRaises(ParseError) as caught:
            parse_order_lines("MUG-0001 x 3\nthree mugs\n")
        self.assertEqual(caught.exception.line_number, 2)

    def test_rejects_zero_quantity(self):
        with self.assertRaises(ParseError):
            parse_order_lines("MUG-0001 x 0\n")


if __name__ == "__main__":
    unittest.main()
