"""One-call summaries built from the core statistics."""

from .core import mean, median, mode, stdev


def describe(data):
    """Summarise the data in a dict: count, min, max, mean, median, mode, stdev.

    ``stdev`` is ``None`` for a single data point, where it is undefined.
    """
    values = list(data)
    summary = {
        "count": len(values),
        "min": min(values) if values else None,
        "max": max(values) if values else None,
        "mean": mean(values),
        "median": median(values),
        "mode": mode(values),
        "stdev": stdev(values) if len(values) > 1 else None,
    }
    return summary
