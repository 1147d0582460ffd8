"""Shared helpers: money, units and validation."""
