"""Freight billing rules."""

__version__ = "3.8.0"
