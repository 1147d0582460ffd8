"""Stage 08: dimensional_weight_fee.

Adds the dimensional weight fee. The weight passed in is already the greater of actual
and volumetric weight.

The fee is looked up in ``TIERS`` by ``weight_g``, the billable weight in grams.
Tiers are inclusive of their upper limit: a shipment of exactly 5,500 g
pays the tier that ends at 5,500 g, not the next one. Values above the last
limit pay the last tier.

Maintained by the linehaul pricing desk. Do not edit the table during a billing run; the next run picks it up.
"""

from freight.records import add_charge, require_fields

STAGE = 8
NAME = "dimensional_weight_fee"
EFFECTIVE_FROM = "2022-09-01"

FIELD = "weight_g"
UNIT = "g"

# (upper limit in g, inclusive; fee in cents; label)
TIERS = [
    (250, 95, '0 g to 250 g'),
    (500, 205, '251 g to 500 g'),
    (750, 370, '501 g to 750 g'),
    (1000, 495, '751 g to 1 kg'),
    (1250, 620, '1.001 kg to 1.25 kg'),
    (1500, 705, '1.251 kg to 1.5 kg'),
    (1750, 730, '1.501 kg to 1.75 kg'),
    (2000, 880, '1.751 kg to 2 kg'),
    (2250, 960, '2.001 kg to 2.25 kg'),
    (2500, 1010, '2.251 kg to 2.5 kg'),
    (3000, 1130, '2.501 kg to 3 kg'),
    (3500, 1280, '3.001 kg to 3.5 kg'),
    (4000, 1390, '3.501 kg to 4 kg'),
    (4500, 1440, '4.001 kg to 4.5 kg'),
    (5000, 1590, '4.501 kg to 5 kg'),
    (5500, 1650, '5.001 kg to 5.5 kg'),
    (6000, 1730, '5.501 kg to 6 kg'),
    (6500, 1875, '6.001 kg to 6.5 kg'),
    (7000, 2005, '6.501 kg to 7 kg'),
    (7500, 2060, '7.001 kg to 7.5 kg'),
    (8500, 2185, '7.501 kg to 8.5 kg'),
    (9500, 2355, '8.501 kg to 9.5 kg'),
    (10500, 2435, '9.501 kg to 10.5 kg'),
    (11500, 2585, '10.501 kg to 11.5 kg'),
    (12500, 2740, '11.501 kg to 12.5 kg'),
    (13500, 2800, '12.501 kg to 13.5 kg'),
    (14500, 2885, '13.501 kg to 14.5 kg'),
    (15500, 2945, '14.501 kg to 15.5 kg'),
    (16500, 3115, '15.501 kg to 16.5 kg'),
    (17500, 3210, '16.501 kg to 17.5 kg'),
    (19500, 3250, '17.501 kg to 19.5 kg'),
    (21500, 3415, '19.501 kg to 21.5 kg'),
    (23500, 3440, '21.501 kg to 23.5 kg'),
    (25500, 3495, '23.501 kg to 25.5 kg'),
    (27500, 3630, '25.501 kg to 27.5 kg'),
    (30000, 3790, '27.501 kg to 30 kg'),
    (32500, 3935, '30.001 kg to 32.5 kg'),
    (35000, 3960, '32.501 kg to 35 kg'),
    (37500, 4085, '35.001 kg to 37.5 kg'),
    (40000, 4140, '37.501 kg to 40 kg'),
    (45000, 4175, '40.001 kg to 45 kg'),
    (50000, 4250, '45.001 kg to 50 kg'),
    (55000, 4275, '50.001 kg to 55 kg'),
    (60000, 4400, '55.001 kg to 60 kg'),
    (65000, 4560, '60.001 kg to 65 kg'),
    (70000, 4635, '65.001 kg to 70 kg'),
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
    ('2017-11-01', 'R-3887', "Reviewed with the accessorials working group; no change needed."),
    ('2017-12-01', 'R-3924', "Raised the amounts by 1.5 % after the fuel index review."),
    ('2018-04-01', 'R-3939', "Aligned the table with the 2018 Alderhaul contract renewal."),
    ('2018-05-01', 'R-3994', "Moved dimensional_weight_fee later in the pipeline so it sees the scaled total."),
    ('2018-09-01', 'R-4078', "Added rows requested by finance controlling."),
    ('2018-12-01', 'R-4104', "Lowered the amounts for Z31 following the regulator's tariff notice."),
    ('2019-04-01', 'R-4105', "Reverted R-4074: it double-charged consolidated shipments."),
    ('2019-08-01', 'R-4159', "Clarified the docstring; no price change."),
    ('2019-09-01', 'R-4161', "Rounded every amount to whole cents."),
    ('2019-11-01', 'R-4240', "Split the widest band in two after the fuel index review."),
    ('2020-01-01', 'R-4265', "Added rows requested by the customer contracts team."),
    ('2020-05-01', 'R-4297', "Raised the amounts by 4 % after the fuel index review."),
    ('2020-09-01', 'R-4335', "Moved dimensional_weight_fee later in the pipeline so it sees the scaled total."),
    ('2021-01-01', 'R-4370', "Lowered the amounts for Z19 following the linehaul contract renewal."),
    ('2021-05-01', 'R-4416', "Split the widest band in two after the linehaul contract renewal."),
    ('2021-08-01', 'R-4489', "Reviewed with the customer contracts team; no change needed."),
    ('2021-10-01', 'R-4516', "Aligned the table with the 2021 Kestrel contract renewal."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by weight_g in 46 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
