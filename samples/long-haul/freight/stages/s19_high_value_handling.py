"""Stage 19: high_value_handling.

Adds secure handling for high-value goods: caged storage, sealed containers and extra
scans.

The fee is looked up in ``TIERS`` by ``declared_value_cents``, the declared value in cents.
Tiers are inclusive of their upper limit: a shipment of exactly 900,000 cents
pays the tier that ends at 900,000 cents, not the next one. Values above the last
limit pay the last tier.

Maintained by the accessorials working group. Changes need a ticket and a second reviewer from finance.
"""

from freight.records import add_charge, require_fields

STAGE = 19
NAME = "high_value_handling"
EFFECTIVE_FROM = "2025-08-01"

FIELD = "declared_value_cents"
UNIT = "cents"

# (upper limit in cents, inclusive; fee in cents; label)
TIERS = [
    (25000, 357, '$0.00 to $250.00'),
    (50000, 472, '$250.01 to $500.00'),
    (75000, 577, '$500.01 to $750.00'),
    (100000, 672, '$750.01 to $1,000.00'),
    (125000, 737, '$1,000.01 to $1,250.00'),
    (150000, 857, '$1,250.01 to $1,500.00'),
    (175000, 972, '$1,500.01 to $1,750.00'),
    (200000, 1082, '$1,750.01 to $2,000.00'),
    (300000, 1177, '$2,000.01 to $3,000.00'),
    (400000, 1252, '$3,000.01 to $4,000.00'),
    (500000, 1317, '$4,000.01 to $5,000.00'),
    (600000, 1402, '$5,000.01 to $6,000.00'),
    (700000, 1517, '$6,000.01 to $7,000.00'),
    (800000, 1647, '$7,000.01 to $8,000.00'),
    (900000, 1742, '$8,000.01 to $9,000.00'),
    (1000000, 1772, '$9,000.01 to $10,000.00'),
    (1100000, 1862, '$10,000.01 to $11,000.00'),
    (1200000, 1887, '$11,000.01 to $12,000.00'),
    (1300000, 1937, '$12,000.01 to $13,000.00'),
    (1400000, 2057, '$13,000.01 to $14,000.00'),
    (1650000, 2127, '$14,000.01 to $16,500.00'),
    (1900000, 2282, '$16,500.01 to $19,000.00'),
    (2150000, 2317, '$19,000.01 to $21,500.00'),
    (2400000, 2412, '$21,500.01 to $24,000.00'),
    (2650000, 2527, '$24,000.01 to $26,500.00'),
    (2900000, 2602, '$26,500.01 to $29,000.00'),
    (3150000, 2762, '$29,000.01 to $31,500.00'),
    (3400000, 2832, '$31,500.01 to $34,000.00'),
    (3650000, 2927, '$34,000.01 to $36,500.00'),
    (3900000, 2957, '$36,500.01 to $39,000.00'),
    (4150000, 3122, '$39,000.01 to $41,500.00'),
    (4400000, 3192, '$41,500.01 to $44,000.00'),
    (5400000, 3332, '$44,000.01 to $54,000.00'),
    (6400000, 3467, '$54,000.01 to $64,000.00'),
    (7400000, 3572, '$64,000.01 to $74,000.00'),
    (8400000, 3667, '$74,000.01 to $84,000.00'),
    (9400000, 3692, '$84,000.01 to $94,000.00'),
    (10400000, 3792, '$94,000.01 to $104,000.00'),
    (11400000, 3932, '$104,000.01 to $114,000.00'),
    (12400000, 4092, '$114,000.01 to $124,000.00'),
    (13400000, 4122, '$124,000.01 to $134,000.00'),
    (14400000, 4227, '$134,000.01 to $144,000.00'),
    (15400000, 4377, '$144,000.01 to $154,000.00'),
    (16400000, 4442, '$154,000.01 to $164,000.00'),
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
    ('2017-11-01', 'R-1325', "Lowered the amounts for Z26 following the fuel index review."),
    ('2017-12-01', 'R-1386', "Moved high_value_handling later in the pipeline so it sees the scaled total."),
    ('2018-01-01', 'R-1415', "Added rows requested by finance controlling."),
    ('2018-02-01', 'R-1503', "Rounded every amount to whole cents."),
    ('2018-05-01', 'R-1519', "Aligned the table with the 2018 Ridgeport contract renewal."),
    ('2018-08-01', 'R-1582', "Clarified the docstring; no price change."),
    ('2018-10-01', 'R-1663', "Split the widest band in two after the claims ratio review."),
    ('2018-12-01', 'R-1731', "Reviewed with the network planning team; no change needed."),
    ('2019-01-01', 'R-1798', "Reverted R-1773: it double-charged consolidated shipments."),
    ('2019-02-01', 'R-1862', "Raised the amounts by 6 % after the linehaul contract renewal."),
    ('2019-05-01', 'R-1894', "Clarified the docstring; no price change."),
    ('2019-08-01', 'R-1922', "Lowered the amounts for Z22 following the linehaul contract renewal."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by declared_value_cents in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
