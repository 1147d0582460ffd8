"""Stage 11: insurance_band.

Charges the basic insurance premium from the declared value of the goods.

The fee is looked up in ``TIERS`` by ``declared_value_cents``, the declared value in cents.
Tiers are inclusive of their upper limit: a shipment of exactly 900,000 cents
pays the tier that ends at 900,000 cents, not the next one. Values above the last
limit pay the last tier.

Maintained by the accessorials working group. The table mirrors the published rate sheet; keep both in sync.
"""

from freight.records import add_charge, require_fields

STAGE = 11
NAME = "insurance_band"
EFFECTIVE_FROM = "2025-12-01"

FIELD = "declared_value_cents"
UNIT = "cents"

# (upper limit in cents, inclusive; fee in cents; label)
TIERS = [
    (25000, 119, '$0.00 to $250.00'),
    (50000, 199, '$250.01 to $500.00'),
    (75000, 229, '$500.01 to $750.00'),
    (100000, 284, '$750.01 to $1,000.00'),
    (125000, 429, '$1,000.01 to $1,250.00'),
    (150000, 469, '$1,250.01 to $1,500.00'),
    (175000, 514, '$1,500.01 to $1,750.00'),
    (200000, 669, '$1,750.01 to $2,000.00'),
    (300000, 734, '$2,000.01 to $3,000.00'),
    (400000, 864, '$3,000.01 to $4,000.00'),
    (500000, 994, '$4,000.01 to $5,000.00'),
    (600000, 1039, '$5,000.01 to $6,000.00'),
    (700000, 1154, '$6,000.01 to $7,000.00'),
    (800000, 1284, '$7,000.01 to $8,000.00'),
    (900000, 1399, '$8,000.01 to $9,000.00'),
    (1000000, 1549, '$9,000.01 to $10,000.00'),
    (1100000, 1579, '$10,000.01 to $11,000.00'),
    (1200000, 1629, '$11,000.01 to $12,000.00'),
    (1300000, 1694, '$12,000.01 to $13,000.00'),
    (1400000, 1759, '$13,000.01 to $14,000.00'),
    (1650000, 1799, '$14,000.01 to $16,500.00'),
    (1900000, 1834, '$16,500.01 to $19,000.00'),
    (2150000, 1959, '$19,000.01 to $21,500.00'),
    (2400000, 2039, '$21,500.01 to $24,000.00'),
    (2650000, 2184, '$24,000.01 to $26,500.00'),
    (2900000, 2339, '$26,500.01 to $29,000.00'),
    (3150000, 2484, '$29,000.01 to $31,500.00'),
    (3400000, 2554, '$31,500.01 to $34,000.00'),
    (3650000, 2614, '$34,000.01 to $36,500.00'),
    (3900000, 2739, '$36,500.01 to $39,000.00'),
    (4150000, 2864, '$39,000.01 to $41,500.00'),
    (4400000, 2914, '$41,500.01 to $44,000.00'),
    (5400000, 3039, '$44,000.01 to $54,000.00'),
    (6400000, 3159, '$54,000.01 to $64,000.00'),
    (7400000, 3269, '$64,000.01 to $74,000.00'),
    (8400000, 3369, '$74,000.01 to $84,000.00'),
    (9400000, 3534, '$84,000.01 to $94,000.00'),
    (10400000, 3604, '$94,000.01 to $104,000.00'),
    (11400000, 3769, '$104,000.01 to $114,000.00'),
    (12400000, 3824, '$114,000.01 to $124,000.00'),
    (13400000, 3949, '$124,000.01 to $134,000.00'),
    (14400000, 4089, '$134,000.01 to $144,000.00'),
    (15400000, 4124, '$144,000.01 to $154,000.00'),
    (16400000, 4269, '$154,000.01 to $164,000.00'),
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
    ('2017-10-01', 'R-3780', "Moved insurance_band later in the pipeline so it sees the scaled total."),
    ('2018-01-01', 'R-3783', "Split the widest band in two after the lane balance audit."),
    ('2018-03-01', 'R-3819', "Reviewed with the network planning team; no change needed."),
    ('2018-07-01', 'R-3874', "Reverted R-3864: it double-charged consolidated shipments."),
    ('2018-09-01', 'R-3940', "Added rows requested by the accessorials working group."),
    ('2018-10-01', 'R-3954', "Raised the amounts by 6 % after the fuel index review."),
    ('2019-01-01', 'R-3990', "Rounded every amount to whole cents."),
    ('2019-04-01', 'R-4071', "Aligned the table with the 2019 Northline contract renewal."),
    ('2019-05-01', 'R-4073', "Clarified the docstring; no price change."),
    ('2019-08-01', 'R-4105', "Lowered the amounts for Z24 following the lane balance audit."),
    ('2019-11-01', 'R-4183', "Moved insurance_band later in the pipeline so it sees the scaled total."),
    ('2020-02-01', 'R-4215', "Split the widest band in two after the peak season debrief."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by declared_value_cents in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
