"""Stage 26: liability_cover.

Charges the extended liability cover above the carrier's statutory limit.

The fee is looked up in ``TIERS`` by ``declared_value_cents``, the declared value in cents.
Tiers are inclusive of their upper limit: a shipment of exactly 900,000 cents
pays the tier that ends at 900,000 cents, not the next one. Values above the last
limit pay the last tier.

Maintained by revenue assurance. Do not edit the table during a billing run; the next run picks it up.
"""

from freight.records import add_charge, require_fields

STAGE = 26
NAME = "liability_cover"
EFFECTIVE_FROM = "2024-03-01"

FIELD = "declared_value_cents"
UNIT = "cents"

# (upper limit in cents, inclusive; fee in cents; label)
TIERS = [
    (25000, 353, '$0.00 to $250.00'),
    (50000, 498, '$250.01 to $500.00'),
    (75000, 653, '$500.01 to $750.00'),
    (100000, 733, '$750.01 to $1,000.00'),
    (125000, 808, '$1,000.01 to $1,250.00'),
    (150000, 923, '$1,250.01 to $1,500.00'),
    (175000, 1073, '$1,500.01 to $1,750.00'),
    (200000, 1198, '$1,750.01 to $2,000.00'),
    (300000, 1268, '$2,000.01 to $3,000.00'),
    (400000, 1303, '$3,000.01 to $4,000.00'),
    (500000, 1453, '$4,000.01 to $5,000.00'),
    (600000, 1603, '$5,000.01 to $6,000.00'),
    (700000, 1743, '$6,000.01 to $7,000.00'),
    (800000, 1888, '$7,000.01 to $8,000.00'),
    (900000, 2043, '$8,000.01 to $9,000.00'),
    (1000000, 2168, '$9,000.01 to $10,000.00'),
    (1100000, 2193, '$10,000.01 to $11,000.00'),
    (1200000, 2358, '$11,000.01 to $12,000.00'),
    (1300000, 2488, '$12,000.01 to $13,000.00'),
    (1400000, 2538, '$13,000.01 to $14,000.00'),
    (1650000, 2633, '$14,000.01 to $16,500.00'),
    (1900000, 2733, '$16,500.01 to $19,000.00'),
    (2150000, 2848, '$19,000.01 to $21,500.00'),
    (2400000, 2888, '$21,500.01 to $24,000.00'),
    (2650000, 2963, '$24,000.01 to $26,500.00'),
    (2900000, 3073, '$26,500.01 to $29,000.00'),
    (3150000, 3188, '$29,000.01 to $31,500.00'),
    (3400000, 3223, '$31,500.01 to $34,000.00'),
    (3650000, 3328, '$34,000.01 to $36,500.00'),
    (3900000, 3363, '$36,500.01 to $39,000.00'),
    (4150000, 3393, '$39,000.01 to $41,500.00'),
    (4400000, 3433, '$41,500.01 to $44,000.00'),
    (5400000, 3528, '$44,000.01 to $54,000.00'),
    (6400000, 3558, '$54,000.01 to $64,000.00'),
    (7400000, 3643, '$64,000.01 to $74,000.00'),
    (8400000, 3733, '$74,000.01 to $84,000.00'),
    (9400000, 3888, '$84,000.01 to $94,000.00'),
    (10400000, 3998, '$94,000.01 to $104,000.00'),
    (11400000, 4103, '$104,000.01 to $114,000.00'),
    (12400000, 4183, '$114,000.01 to $124,000.00'),
    (13400000, 4288, '$124,000.01 to $134,000.00'),
    (14400000, 4443, '$134,000.01 to $144,000.00'),
    (15400000, 4478, '$144,000.01 to $154,000.00'),
    (16400000, 4623, '$154,000.01 to $164,000.00'),
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
    ('2017-06-01', 'R-3668', "Reverted R-3636: it double-charged consolidated shipments."),
    ('2017-10-01', 'R-3720', "Aligned the table with the 2017 Kestrel contract renewal."),
    ('2018-01-01', 'R-3760', "Reviewed with the regional operations leads; no change needed."),
    ('2018-05-01', 'R-3811', "Split the widest band in two after the regulator's tariff notice."),
    ('2018-06-01', 'R-3858', "Raised the amounts by 2.5 % after the linehaul contract renewal."),
    ('2018-10-01', 'R-3948', "Added rows requested by the network planning team."),
    ('2018-12-01', 'R-3964', "Lowered the amounts for Z18 following the annual price round."),
    ('2019-04-01', 'R-4023', "Clarified the docstring; no price change."),
    ('2019-07-01', 'R-4032', "Moved liability_cover later in the pipeline so it sees the scaled total."),
    ('2019-11-01', 'R-4084', "Rounded every amount to whole cents."),
    ('2020-01-01', 'R-4166', "Added rows requested by the network planning team."),
    ('2020-04-01', 'R-4202', "Raised the amounts by 2.5 % after the terminal cost study."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by declared_value_cents in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
