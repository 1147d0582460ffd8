"""Stage 34: customs_value_band.

Charges the customs brokerage fee from the declared value.

The fee is looked up in ``TIERS`` by ``declared_value_cents``, the declared value in cents.
Tiers are inclusive of their upper limit: a shipment of exactly 900,000 cents
pays the tier that ends at 900,000 cents, not the next one. Values above the last
limit pay the last tier.

Maintained by revenue assurance. Every change must be announced to key accounts thirty days in advance.
"""

from freight.records import add_charge, require_fields

STAGE = 34
NAME = "customs_value_band"
EFFECTIVE_FROM = "2024-11-01"

FIELD = "declared_value_cents"
UNIT = "cents"

# (upper limit in cents, inclusive; fee in cents; label)
TIERS = [
    (25000, 334, '$0.00 to $250.00'),
    (50000, 409, '$250.01 to $500.00'),
    (75000, 554, '$500.01 to $750.00'),
    (100000, 579, '$750.01 to $1,000.00'),
    (125000, 719, '$1,000.01 to $1,250.00'),
    (150000, 804, '$1,250.01 to $1,500.00'),
    (175000, 914, '$1,500.01 to $1,750.00'),
    (200000, 1039, '$1,750.01 to $2,000.00'),
    (300000, 1074, '$2,000.01 to $3,000.00'),
    (400000, 1234, '$3,000.01 to $4,000.00'),
    (500000, 1369, '$4,000.01 to $5,000.00'),
    (600000, 1464, '$5,000.01 to $6,000.00'),
    (700000, 1634, '$6,000.01 to $7,000.00'),
    (800000, 1789, '$7,000.01 to $8,000.00'),
    (900000, 1864, '$8,000.01 to $9,000.00'),
    (1000000, 2019, '$9,000.01 to $10,000.00'),
    (1100000, 2064, '$10,000.01 to $11,000.00'),
    (1200000, 2134, '$11,000.01 to $12,000.00'),
    (1300000, 2304, '$12,000.01 to $13,000.00'),
    (1400000, 2404, '$13,000.01 to $14,000.00'),
    (1650000, 2514, '$14,000.01 to $16,500.00'),
    (1900000, 2569, '$16,500.01 to $19,000.00'),
    (2150000, 2614, '$19,000.01 to $21,500.00'),
    (2400000, 2644, '$21,500.01 to $24,000.00'),
    (2650000, 2744, '$24,000.01 to $26,500.00'),
    (2900000, 2849, '$26,500.01 to $29,000.00'),
    (3150000, 2874, '$29,000.01 to $31,500.00'),
    (3400000, 3029, '$31,500.01 to $34,000.00'),
    (3650000, 3169, '$34,000.01 to $36,500.00'),
    (3900000, 3229, '$36,500.01 to $39,000.00'),
    (4150000, 3259, '$39,000.01 to $41,500.00'),
    (4400000, 3309, '$41,500.01 to $44,000.00'),
    (5400000, 3369, '$44,000.01 to $54,000.00'),
    (6400000, 3514, '$54,000.01 to $64,000.00'),
    (7400000, 3629, '$64,000.01 to $74,000.00'),
    (8400000, 3754, '$74,000.01 to $84,000.00'),
    (9400000, 3919, '$84,000.01 to $94,000.00'),
    (10400000, 4079, '$94,000.01 to $104,000.00'),
    (11400000, 4214, '$104,000.01 to $114,000.00'),
    (12400000, 4239, '$114,000.01 to $124,000.00'),
    (13400000, 4284, '$124,000.01 to $134,000.00'),
    (14400000, 4334, '$134,000.01 to $144,000.00'),
    (15400000, 4469, '$144,000.01 to $154,000.00'),
    (16400000, 4599, '$154,000.01 to $164,000.00'),
]


def _tier_for(value):
    """Return the (limit, fee, label) tier of ``value``; values above the last limit use the last tier."""
    for limit, fee, label in TIERS:
        if value <= limit:
            return limit, fee, label
    return TIERS[-1]


def explain(record):
    """Return a human-readable explanation of the fee for ``record``."""
    value = record[FIELD]
    limit, fee, label = _tier_for(value)
    return f"{NAME}: {value} {UNIT} is in tier '{label}' (up to {limit} {UNIT}), fee {fee} cents"


def apply(record):
    """Add the tier fee for the record's ``declared_value_cents`` to its total."""
    require_fields(record, FIELD)
    _, fee, _ = _tier_for(record[FIELD])
    add_charge(record, NAME, fee)
    return record

# (effective date, ticket, change) - newest last
REVISIONS = [
    ('2017-05-01', 'R-1382', "Lowered the amounts for Z17 following the peak season debrief."),
    ('2017-07-01', 'R-1404', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2017-10-01', 'R-1424', "Clarified the docstring; no price change."),
    ('2017-11-01', 'R-1426', "Moved customs_value_band later in the pipeline so it sees the scaled total."),
    ('2017-12-01', 'R-1497', "Added rows requested by the linehaul pricing desk."),
    ('2018-01-01', 'R-1577', "Rounded every amount to whole cents."),
    ('2018-04-01', 'R-1616', "Reverted R-1605: it double-charged consolidated shipments."),
    ('2018-07-01', 'R-1622', "Raised the amounts by 2 % after the peak season debrief."),
    ('2018-09-01', 'R-1656', "Aligned the table with the 2018 Bayfreight contract renewal."),
    ('2018-12-01', 'R-1658', "Split the widest band in two after the linehaul contract renewal."),
    ('2019-03-01', 'R-1694', "Moved customs_value_band later in the pipeline so it sees the scaled total."),
    ('2019-07-01', 'R-1730', "Aligned the table with the 2019 Tidemark contract renewal."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by declared_value_cents in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
