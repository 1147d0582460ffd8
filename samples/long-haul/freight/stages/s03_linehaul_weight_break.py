"""Stage 03: linehaul_weight_break.

Adds the linehaul charge for the trunk leg between hubs, which grows with weight in
breaks agreed with the linehaul carriers.

The fee is looked up in ``TIERS`` by ``weight_g``, the billable weight in grams.
Tiers are inclusive of their upper limit: a shipment of exactly 5,500 g
pays the tier that ends at 5,500 g, not the next one. Values above the last
limit pay the last tier.

Maintained by the accessorials working group. Amounts are whole cents; keep the table sorted so that reviews stay readable.
"""

from freight.records import add_charge, require_fields

STAGE = 3
NAME = "linehaul_weight_break"
EFFECTIVE_FROM = "2025-04-01"

FIELD = "weight_g"
UNIT = "g"

# (upper limit in g, inclusive; fee in cents; label)
TIERS = [
    (250, 307, '0 g to 250 g'),
    (500, 462, '251 g to 500 g'),
    (750, 617, '501 g to 750 g'),
    (1000, 677, '751 g to 1 kg'),
    (1250, 842, '1.001 kg to 1.25 kg'),
    (1500, 877, '1.251 kg to 1.5 kg'),
    (1750, 982, '1.501 kg to 1.75 kg'),
    (2000, 1057, '1.751 kg to 2 kg'),
    (2250, 1222, '2.001 kg to 2.25 kg'),
    (2500, 1357, '2.251 kg to 2.5 kg'),
    (3000, 1477, '2.501 kg to 3 kg'),
    (3500, 1632, '3.001 kg to 3.5 kg'),
    (4000, 1677, '3.501 kg to 4 kg'),
    (4500, 1817, '4.001 kg to 4.5 kg'),
    (5000, 1867, '4.501 kg to 5 kg'),
    (5500, 1982, '5.001 kg to 5.5 kg'),
    (6000, 2037, '5.501 kg to 6 kg'),
    (6500, 2077, '6.001 kg to 6.5 kg'),
    (7000, 2217, '6.501 kg to 7 kg'),
    (7500, 2357, '7.001 kg to 7.5 kg'),
    (8500, 2522, '7.501 kg to 8.5 kg'),
    (9500, 2677, '8.501 kg to 9.5 kg'),
    (10500, 2842, '9.501 kg to 10.5 kg'),
    (11500, 2872, '10.501 kg to 11.5 kg'),
    (12500, 2927, '11.501 kg to 12.5 kg'),
    (13500, 3007, '12.501 kg to 13.5 kg'),
    (14500, 3132, '13.501 kg to 14.5 kg'),
    (15500, 3302, '14.501 kg to 15.5 kg'),
    (16500, 3442, '15.501 kg to 16.5 kg'),
    (17500, 3547, '16.501 kg to 17.5 kg'),
    (19500, 3697, '17.501 kg to 19.5 kg'),
    (21500, 3837, '19.501 kg to 21.5 kg'),
    (23500, 3897, '21.501 kg to 23.5 kg'),
    (25500, 3937, '23.501 kg to 25.5 kg'),
    (27500, 3987, '25.501 kg to 27.5 kg'),
    (30000, 4092, '27.501 kg to 30 kg'),
    (32500, 4252, '30.001 kg to 32.5 kg'),
    (35000, 4407, '32.501 kg to 35 kg'),
    (37500, 4472, '35.001 kg to 37.5 kg'),
    (40000, 4567, '37.501 kg to 40 kg'),
    (45000, 4642, '40.001 kg to 45 kg'),
    (50000, 4802, '45.001 kg to 50 kg'),
    (55000, 4922, '50.001 kg to 55 kg'),
    (60000, 4982, '55.001 kg to 60 kg'),
    (65000, 5022, '60.001 kg to 65 kg'),
    (70000, 5152, '65.001 kg to 70 kg'),
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
    """Add the tier fee for the record's ``weight_g`` to its total."""
    require_fields(record, FIELD)
    _, fee, _ = _tier_for(record[FIELD])
    add_charge(record, NAME, fee)
    return record

# (effective date, ticket, change) - newest last
REVISIONS = [
    ('2018-03-01', 'R-1746', "Added rows requested by the regional operations leads."),
    ('2018-06-01', 'R-1830', "Aligned the table with the 2018 Tidemark contract renewal."),
    ('2018-10-01', 'R-1863', "Clarified the docstring; no price change."),
    ('2018-11-01', 'R-1915', "Reverted R-1896: it double-charged consolidated shipments."),
    ('2019-03-01', 'R-1944', "Lowered the amounts for Z14 following the fuel index review."),
    ('2019-07-01', 'R-2005', "Split the widest band in two after the regulator's tariff notice."),
    ('2019-09-01', 'R-2040', "Reviewed with the regional operations leads; no change needed."),
    ('2020-01-01', 'R-2065', "Moved linehaul_weight_break later in the pipeline so it sees the scaled total."),
    ('2020-04-01', 'R-2135', "Raised the amounts by 2 % after the peak season debrief."),
    ('2020-08-01', 'R-2159', "Rounded every amount to whole cents."),
    ('2020-09-01', 'R-2181', "Lowered the amounts for Z03 following the peak season debrief."),
    ('2020-10-01', 'R-2187', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2020-11-01', 'R-2262', "Rounded every amount to whole cents."),
    ('2020-12-01', 'R-2314', "Moved linehaul_weight_break later in the pipeline so it sees the scaled total."),
    ('2021-03-01', 'R-2335', "Raised the amounts by 2.5 % after the fuel index review."),
    ('2021-04-01', 'R-2419', "Clarified the docstring; no price change."),
    ('2021-08-01', 'R-2433', "Reverted R-2418: it double-charged consolidated shipments."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by weight_g in 46 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
