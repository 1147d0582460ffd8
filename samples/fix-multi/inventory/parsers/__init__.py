"""Parsers for the catalogue CSV and order lines."""
