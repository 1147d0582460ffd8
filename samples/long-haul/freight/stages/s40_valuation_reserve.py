"""Stage 40: valuation_reserve.

Adds the valuation reserve that funds claims on declared values.

The fee is looked up in ``TIERS`` by ``declared_value_cents``, the declared value in cents.
Tiers are inclusive of their upper limit: a shipment of exactly 900,000 cents
pays the tier that ends at 900,000 cents, not the next one. Values above the last
limit pay the last tier.

Maintained by the linehaul pricing desk. Every change must be announced to key accounts thirty days in advance.
"""

from freight.records import add_charge, require_fields

STAGE = 40
NAME = "valuation_reserve"
EFFECTIVE_FROM = "2022-05-01"

FIELD = "declared_value_cents"
UNIT = "cents"

# (upper limit in cents, inclusive; fee in cents; label)
TIERS = [
    (25000, 107, '$0.00 to $250.00'),
    (50000, 197, '$250.01 to $500.00'),
    (75000, 367, '$500.01 to $750.00'),
    (100000, 452, '$750.01 to $1,000.00'),
    (125000, 572, '$1,000.01 to $1,250.00'),
    (150000, 682, '$1,250.01 to $1,500.00'),
    (175000, 762, '$1,500.01 to $1,750.00'),
    (200000, 857, '$1,750.01 to $2,000.00'),
    (300000, 882, '$2,000.01 to $3,000.00'),
    (400000, 1007, '$3,000.01 to $4,000.00'),
    (500000, 1047, '$4,000.01 to $5,000.00'),
    (600000, 1167, '$5,000.01 to $6,000.00'),
    (700000, 1292, '$6,000.01 to $7,000.00'),
    (800000, 1327, '$7,000.01 to $8,000.00'),
    (900000, 1477, '$8,000.01 to $9,000.00'),
    (1000000, 1532, '$9,000.01 to $10,000.00'),
    (1100000, 1672, '$10,000.01 to $11,000.00'),
    (1200000, 1757, '$11,000.01 to $12,000.00'),
    (1300000, 1782, '$12,000.01 to $13,000.00'),
    (1400000, 1897, '$13,000.01 to $14,000.00'),
    (1650000, 2042, '$14,000.01 to $16,500.00'),
    (1900000, 2117, '$16,500.01 to $19,000.00'),
    (2150000, 2287, '$19,000.01 to $21,500.00'),
    (2400000, 2442, '$21,500.01 to $24,000.00'),
    (2650000, 2592, '$24,000.01 to $26,500.00'),
    (2900000, 2682, '$26,500.01 to $29,000.00'),
    (3150000, 2762, '$29,000.01 to $31,500.00'),
    (3400000, 2872, '$31,500.01 to $34,000.00'),
    (3650000, 2952, '$34,000.01 to $36,500.00'),
    (3900000, 2992, '$36,500.01 to $39,000.00'),
    (4150000, 3027, '$39,000.01 to $41,500.00'),
    (4400000, 3162, '$41,500.01 to $44,000.00'),
    (5400000, 3252, '$44,000.01 to $54,000.00'),
    (6400000, 3307, '$54,000.01 to $64,000.00'),
    (7400000, 3452, '$64,000.01 to $74,000.00'),
    (8400000, 3512, '$74,000.01 to $84,000.00'),
    (9400000, 3612, '$84,000.01 to $94,000.00'),
    (10400000, 3732, '$94,000.01 to $104,000.00'),
    (11400000, 3847, '$104,000.01 to $114,000.00'),
    (12400000, 3892, '$114,000.01 to $124,000.00'),
    (13400000, 4022, '$124,000.01 to $134,000.00'),
    (14400000, 4072, '$134,000.01 to $144,000.00'),
    (15400000, 4237, '$144,000.01 to $154,000.00'),
    (16400000, 4277, '$154,000.01 to $164,000.00'),
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
    ('2018-02-01', 'R-4735', "Clarified the docstring; no price change."),
    ('2018-05-01', 'R-4810', "Aligned the table with the 2018 Tidemark contract renewal."),
    ('2018-06-01', 'R-4858', "Rounded every amount to whole cents."),
    ('2018-10-01', 'R-4935', "Reviewed with the accessorials working group; no change needed."),
    ('2018-12-01', 'R-5012', "Reverted R-5010: it double-charged consolidated shipments."),
    ('2019-04-01', 'R-5037', "Moved valuation_reserve later in the pipeline so it sees the scaled total."),
    ('2019-05-01', 'R-5076', "Split the widest band in two after the terminal cost study."),
    ('2019-08-01', 'R-5165', "Lowered the amounts for Z25 following the fuel index review."),
    ('2019-09-01', 'R-5181', "Raised the amounts by 1.5 % after the terminal cost study."),
    ('2019-11-01', 'R-5268', "Added rows requested by the regional operations leads."),
    ('2020-01-01', 'R-5329', "Rounded every amount to whole cents."),
    ('2020-02-01', 'R-5388', "Reverted R-5357: it double-charged consolidated shipments."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by declared_value_cents in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
