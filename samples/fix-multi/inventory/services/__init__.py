"""Services: the warehouse and checkout."""
