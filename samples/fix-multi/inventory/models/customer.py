"""Customers."""

from dataclasses import dataclass

TIERS = ("bronze", "silver", "gold", "platinum")


@dataclass(frozen=True)
class Customer:
    """A customer with a loyalty tier and the region used for tax."""

    customer_id: str
    name: str
    tier: str = "bronze"
    region: str = "CA"

    def __post_init__(self):
        if self.tier not in TIERS:
            raise ValueError(f"unknown tier {self.tier!r}; expected one of {', '.join(TIERS)}")
