import math
import unittest

from stats import StatisticsError, mean, median, mode, stdev, variance


class MeanTests(unittest.TestCase):
    def test_mean_of_integers(self):
        self.assertEqual(mean([1, 2, 3, 4]), 2.5)

    def test_mean_of_single_value(self):
        self.assertEqual(mean([7]), 7)

    def test_mean_of_empty_raises(self):
        with self.assertRaises(StatisticsError):
            mean([])


class MedianTests(unittest.TestCase):
    def test_median_odd_length(self):
        self.assertEqual(median([3, 1, 2]), 2)

    def test_median_even_length(self):
        self.assertEqual(median([4, 1, 3, 2]), 2.5)

    def test_median_two_values(self):
        self.assertEqual(median([10, 20]), 15)

    def test_median_unsorted_input_is_not_modified(self):
        data = [5, 3, 9, 1]
        self.assertEqual(median(data), 4)
        self.assertEqual(data, [5, 3, 9, 1])

    def test_median_of_empty_raises(self):
        with self.assertRaises(StatisticsError):
            median([])


class ModeTests(unittest.TestCase):
    def test_mode_single_winner(self):
        self.assertEqual(mode([1, 2, 2, 3]), 2)

    def test_mode_tie_goes_to_first_seen(self):
        self.assertEqual(mode(["b", "a", "a", "b"]), "b")


class VarianceTests(unittest.TestCase):
    def test_sample_variance(self):
        self.assertAlmostEqual(variance([2, 4, 4, 4, 5, 5, 7, 9]), 32 / 7)

    def test_stdev(self):
        self.assertAlmostEqual(stdev([2, 4, 4, 4, 5, 5, 7, 9]), math.sqrt(32 / 7))

    def test_variance_needs_two_points(self):
        with self.assertRaises(StatisticsError):
            variance([1])


if __name__ == "__main__":
    unittest.main()
