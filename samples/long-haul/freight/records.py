"""Shipment records and the charge ledger shared by every stage.

A record is a plain dict. Input fields never change while the pipeline runs; stages
only add charges through ``add_charge``, which keeps ``total_cents`` and the ``charges``
ledger in step.
"""

import copy

INPUT_FIELDS = (
    "shipment_id",
    "service",
    "zone",
    "customer_class",
    "weight_g",
    "distance_km",
    "declared_value_cents",
    "pieces",
    "monthly_volume",
    "accessorials",
)

SERVICES = ("economy", "standard", "express", "overnight")
CUSTOMER_CLASSES = ("retail", "business", "partner")


def new_record(shipment):
    """Return a fresh billing record for a shipment dict (the input is not modified)."""
    missing = [name for name in INPUT_FIELDS if name not in shipment]
    if missing:
        raise KeyError(f"shipment is missing {', '.join(missing)}")
    if shipment["service"] not in SERVICES:
        raise ValueError(f"unknown service {shipment['service']!r}")
    if shipment["customer_class"] not in CUSTOMER_CLASSES:
        raise ValueError(f"unknown customer class {shipment['customer_class']!r}")
    record = copy.deepcopy(dict(shipment))
    record["total_cents"] = 0
    record["charges"] = []
    return record


def require_fields(record, *names):
    """Raise KeyError naming the first missing field."""
    for name in names:
        if name not in record:
            raise KeyError(f"record {record.get('shipment_id', '?')} has no field {name!r}")


def add_charge(record, stage_name, cents):
    """Add ``cents`` (possibly negative or zero) to the total and the ledger."""
    if not isinstance(cents, int):
        raise TypeError(f"{stage_name}: charges are whole cents, got {cents!r}")
    record["total_cents"] += cents
    record["charges"].append((stage_name, cents))


def format_cents(cents):
    """Format cents as dollars: 123456 -> '$1,234.56'."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"
