"""Small descriptive statistics helpers."""

from .core import StatisticsError, mean, median, mode, stdev, variance
from .summary import describe

__all__ = ["StatisticsError", "describe", "mean", "median", "mode", "stdev", "variance"]
