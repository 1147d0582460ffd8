import unittest

from stats import describe


class DescribeTests(unittest.TestCase):
    def test_describe_even_length(self):
        summary = describe([1, 2, 2, 3, 4, 6])
        self.assertEqual(summary["count"], 6)
        self.assertEqual(summary["min"], 1)
        self.assertEqual(summary["max"], 6)
        self.assertEqual(summary["median"], 2.5)
        self.assertEqual(summary["mode"], 2)

    def test_describe_single_value_has_no_stdev(self):
        summary = describe([5])
        self.assertEqual(summary["median"], 5)
        self.assertIsNone(summary["stdev"])


if __name__ == "__main__":
    unittest.main()
