"""Descriptive statistics over sequences of numbers."""

import math
from collections import Counter


class StatisticsError(ValueError):
    """Raised when a statistic is undefined for the given data."""


def _require(data, name, minimum=1):
    values = list(data)
    if len(values) < minimum:
        points = "point" if minimum == 1 else "points"
        raise StatisticsError(f"{name} requires at least {minimum} data {points}")
    return values


def mean(data):
    """Return the arithmetic mean of the data."""
    values = _require(data, "mean")
    return sum(values) / len(values)


def median(data):
    """Return the median (middle value) of the data.

    When the number of data points is even, the median is the mean of the
    two middle values.
    """
    values = sorted(_require(data, "median"))
    n = len(values)
    mid = n // 2
    if n % 2 == 1:
        return values[mid]
    return (values[mid] + values[mid + 1]) / 2


def mode(data):
    """Return the most common value; ties go to the value seen first."""
    values = _require(data, "mode")
    counts = Counter(values)
    best = max(counts.values())
    for value in values:
        if counts[value] == best:
            return value
    raise AssertionError("unreachable")


def variance(data):
    """Return the sample variance (divides by n - 1)."""
    values = _require(data, "variance", minimum=2)
    m = mean(values)
    return sum((x - m) ** 2 for x in values) / (len(values) - 1)


def stdev(data):
    """Return the sample standard deviation."""
    return math.sqrt(variance(data))
