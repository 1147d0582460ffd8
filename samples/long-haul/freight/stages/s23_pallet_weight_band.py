"""Stage 23: pallet_weight_band.

Adds the pallet handling fee for palletised freight, banded by weight.

The fee is looked up in ``TIERS`` by ``weight_g``, the billable weight in grams.
Tiers are inclusive of their upper limit: a shipment of exactly 5,500 g
pays the tier that ends at 5,500 g, not the next one. Values above the last
limit pay the last tier.

Maintained by finance controlling. The table mirrors the published rate sheet; keep both in sync.
"""

from freight.records import add_charge, require_fields

STAGE = 23
NAME = "pallet_weight_band"
EFFECTIVE_FROM = "2025-12-01"

FIELD = "weight_g"
UNIT = "g"

# (upper limit in g, inclusive; fee in cents; label)
TIERS = [
    (250, 362, '0 g to 250 g'),
    (500, 492, '251 g to 500 g'),
    (750, 557, '501 g to 750 g'),
    (1000, 677, '751 g to 1 kg'),
    (1250, 712, '1.001 kg to 1.25 kg'),
    (1500, 792, '1.251 kg to 1.5 kg'),
    (1750, 857, '1.501 kg to 1.75 kg'),
    (2000, 1027, '1.751 kg to 2 kg'),
    (2250, 1097, '2.001 kg to 2.25 kg'),
    (2500, 1157, '2.251 kg to 2.5 kg'),
    (3000, 1282, '2.501 kg to 3 kg'),
    (3500, 1442, '3.001 kg to 3.5 kg'),
    (4000, 1572, '3.501 kg to 4 kg'),
    (4500, 1697, '4.001 kg to 4.5 kg'),
    (5000, 1832, '4.501 kg to 5 kg'),
    (5500, 1892, '5.001 kg to 5.5 kg'),
    (6000, 2007, '5.501 kg to 6 kg'),
    (6500, 2057, '6.001 kg to 6.5 kg'),
    (7000, 2157, '6.501 kg to 7 kg'),
    (7500, 2242, '7.001 kg to 7.5 kg'),
    (8500, 2322, '7.501 kg to 8.5 kg'),
    (9500, 2482, '8.501 kg to 9.5 kg'),
    (10500, 2512, '9.501 kg to 10.5 kg'),
    (11500, 2577, '10.501 kg to 11.5 kg'),
    (12500, 2697, '11.501 kg to 12.5 kg'),
    (13500, 2762, '12.501 kg to 13.5 kg'),
    (14500, 2837, '13.501 kg to 14.5 kg'),
    (15500, 2867, '14.501 kg to 15.5 kg'),
    (16500, 2932, '15.501 kg to 16.5 kg'),
    (17500, 3067, '16.501 kg to 17.5 kg'),
    (19500, 3182, '17.501 kg to 19.5 kg'),
    (21500, 3247, '19.501 kg to 21.5 kg'),
    (23500, 3317, '21.501 kg to 23.5 kg'),
    (25500, 3367, '23.501 kg to 25.5 kg'),
    (27500, 3412, '25.501 kg to 27.5 kg'),
    (30000, 3507, '27.501 kg to 30 kg'),
    (32500, 3532, '30.001 kg to 32.5 kg'),
    (35000, 3687, '32.501 kg to 35 kg'),
    (37500, 3857, '35.001 kg to 37.5 kg'),
    (40000, 3997, '37.501 kg to 40 kg'),
    (45000, 4092, '40.001 kg to 45 kg'),
    (50000, 4122, '45.001 kg to 50 kg'),
    (55000, 4267, '50.001 kg to 55 kg'),
    (60000, 4422, '55.001 kg to 60 kg'),
    (65000, 4472, '60.001 kg to 65 kg'),
    (70000, 4607, '65.001 kg to 70 kg'),
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
    ('2017-07-01', 'R-1896', "Added rows requested by the accessorials working group."),
    ('2017-08-01', 'R-1899', "Split the widest band in two after the terminal cost study."),
    ('2017-09-01', 'R-1951', "Reverted R-1935: it double-charged consolidated shipments."),
    ('2017-10-01', 'R-1955', "Reviewed with the network planning team; no change needed."),
    ('2017-12-01', 'R-1975', "Aligned the table with the 2017 Meridian contract renewal."),
    ('2018-04-01', 'R-2000', "Rounded every amount to whole cents."),
    ('2018-07-01', 'R-2023', "Raised the amounts by 3 % after the peak season debrief."),
    ('2018-08-01', 'R-2057', "Moved pallet_weight_band later in the pipeline so it sees the scaled total."),
    ('2018-12-01', 'R-2067', "Lowered the amounts for Z12 following the peak season debrief."),
    ('2019-03-01', 'R-2124', "Clarified the docstring; no price change."),
    ('2019-04-01', 'R-2173', "Lowered the amounts for Z22 following the terminal cost study."),
    ('2019-05-01', 'R-2201', "Clarified the docstring; no price change."),
    ('2019-07-01', 'R-2261', "Reviewed with finance controlling; no change needed."),
    ('2019-11-01', 'R-2336', "Reverted R-2330: it double-charged consolidated shipments."),
    ('2020-03-01', 'R-2390', "Moved pallet_weight_band later in the pipeline so it sees the scaled total."),
    ('2020-07-01', 'R-2406', "Raised the amounts by 2 % after the peak season debrief."),
    ('2020-10-01', 'R-2477', "Rounded every amount to whole cents."),
    ('2021-01-01', 'R-2492', "Split the widest band in two after the regulator's tariff notice."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by weight_g in 46 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
