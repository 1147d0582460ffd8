"""Pricing: discounts, tax, shipping and order totals."""
