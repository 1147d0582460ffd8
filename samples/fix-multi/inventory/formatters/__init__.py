"""Text formatting of money, tables and invoices."""
