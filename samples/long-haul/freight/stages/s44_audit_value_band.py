"""Stage 44: audit_value_band.

Adds the audit fee for declared values that trigger a manual documentation check.

The fee is looked up in ``TIERS`` by ``declared_value_cents``, the declared value in cents.
Tiers are inclusive of their upper limit: a shipment of exactly 900,000 cents
pays the tier that ends at 900,000 cents, not the next one. Values above the last
limit pay the last tier.

Maintained by the claims team. Do not edit the table during a billing run; the next run picks it up.
"""

from freight.records import add_charge, require_fields

STAGE = 44
NAME = "audit_value_band"
EFFECTIVE_FROM = "2022-09-01"

FIELD = "declared_value_cents"
UNIT = "cents"

# (upper limit in cents, inclusive; fee in cents; label)
TIERS = [
    (25000, 165, '$0.00 to $250.00'),
    (50000, 330, '$250.01 to $500.00'),
    (75000, 415, '$500.01 to $750.00'),
    (100000, 440, '$750.01 to $1,000.00'),
    (125000, 585, '$1,000.01 to $1,250.00'),
    (150000, 745, '$1,250.01 to $1,500.00'),
    (175000, 895, '$1,500.01 to $1,750.00'),
    (200000, 1020, '$1,750.01 to $2,000.00'),
    (300000, 1125, '$2,000.01 to $3,000.00'),
    (400000, 1175, '$3,000.01 to $4,000.00'),
    (500000, 1215, '$4,000.01 to $5,000.00'),
    (600000, 1385, '$5,000.01 to $6,000.00'),
    (700000, 1410, '$6,000.01 to $7,000.00'),
    (800000, 1520, '$7,000.01 to $8,000.00'),
    (900000, 1615, '$8,000.01 to $9,000.00'),
    (1000000, 1725, '$9,000.01 to $10,000.00'),
    (1100000, 1760, '$10,000.01 to $11,000.00'),
    (1200000, 1850, '$11,000.01 to $12,000.00'),
    (1300000, 1995, '$12,000.01 to $13,000.00'),
    (1400000, 2050, '$13,000.01 to $14,000.00'),
    (1650000, 2110, '$14,000.01 to $16,500.00'),
    (1900000, 2200, '$16,500.01 to $19,000.00'),
    (2150000, 2245, '$19,000.01 to $21,500.00'),
    (2400000, 2280, '$21,500.01 to $24,000.00'),
    (2650000, 2380, '$24,000.01 to $26,500.00'),
    (2900000, 2475, '$26,500.01 to $29,000.00'),
    (3150000, 2620, '$29,000.01 to $31,500.00'),
    (3400000, 2710, '$31,500.01 to $34,000.00'),
    (3650000, 2845, '$34,000.01 to $36,500.00'),
    (3900000, 2970, '$36,500.01 to $39,000.00'),
    (4150000, 2995, '$39,000.01 to $41,500.00'),
    (4400000, 3035, '$41,500.01 to $44,000.00'),
    (5400000, 3060, '$44,000.01 to $54,000.00'),
    (6400000, 3095, '$54,000.01 to $64,000.00'),
    (7400000, 3200, '$64,000.01 to $74,000.00'),
    (8400000, 3310, '$74,000.01 to $84,000.00'),
    (9400000, 3400, '$84,000.01 to $94,000.00'),
    (10400000, 3440, '$94,000.01 to $104,000.00'),
    (11400000, 3485, '$104,000.01 to $114,000.00'),
    (12400000, 3640, '$114,000.01 to $124,000.00'),
    (13400000, 3735, '$124,000.01 to $134,000.00'),
    (14400000, 3800, '$134,000.01 to $144,000.00'),
    (15400000, 3860, '$144,000.01 to $154,000.00'),
    (16400000, 4020, '$154,000.01 to $164,000.00'),
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
    ('2017-09-01', 'R-4327', "Raised the amounts by 4 % after the lane balance audit."),
    ('2017-12-01', 'R-4386', "Rounded every amount to whole cents."),
    ('2018-02-01', 'R-4388', "Reviewed with the regional operations leads; no change needed."),
    ('2018-03-01', 'R-4401', "Moved audit_value_band later in the pipeline so it sees the scaled total."),
    ('2018-07-01', 'R-4488', "Added rows requested by the accessorials working group."),
    ('2018-08-01', 'R-4491', "Split the widest band in two after the claims ratio review."),
    ('2018-09-01', 'R-4533', "Clarified the docstring; no price change."),
    ('2018-12-01', 'R-4606', "Lowered the amounts for Z12 following the annual price round."),
    ('2019-02-01', 'R-4680', "Aligned the table with the 2019 Tidemark contract renewal."),
    ('2019-03-01', 'R-4740', "Reverted R-4723: it double-charged consolidated shipments."),
    ('2019-06-01', 'R-4812', "Clarified the docstring; no price change."),
    ('2019-09-01', 'R-4820', "Reviewed with the claims team; no change needed."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by declared_value_cents in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
