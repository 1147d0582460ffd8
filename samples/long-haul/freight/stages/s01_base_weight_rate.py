"""Stage 01: base_weight_rate.

Charges the base transport rate from the billable weight. It is the first charge every
shipment receives.

The fee is looked up in ``TIERS`` by ``weight_g``, the billable weight in grams.
Tiers are inclusive of their upper limit: a shipment of exactly 5,500 g
pays the tier that ends at 5,500 g, not the next one. Values above the last
limit pay the last tier.

Maintained by the network planning team. Changes need a ticket and a second reviewer from finance.
"""

from freight.records import add_charge, require_fields

STAGE = 1
NAME = "base_weight_rate"
EFFECTIVE_FROM = "2023-02-01"

FIELD = "weight_g"
UNIT = "g"

# (upper limit in g, inclusive; fee in cents; label)
TIERS = [
    (250, 142, '0 g to 250 g'),
    (500, 247, '251 g to 500 g'),
    (750, 297, '501 g to 750 g'),
    (1000, 422, '751 g to 1 kg'),
    (1250, 537, '1.001 kg to 1.25 kg'),
    (1500, 697, '1.251 kg to 1.5 kg'),
    (1750, 852, '1.501 kg to 1.75 kg'),
    (2000, 1017, '1.751 kg to 2 kg'),
    (2250, 1092, '2.001 kg to 2.25 kg'),
    (2500, 1162, '2.251 kg to 2.5 kg'),
    (3000, 1242, '2.501 kg to 3 kg'),
    (3500, 1272, '3.001 kg to 3.5 kg'),
    (4000, 1347, '3.501 kg to 4 kg'),
    (4500, 1397, '4.001 kg to 4.5 kg'),
    (5000, 1422, '4.501 kg to 5 kg'),
    (5500, 1557, '5.001 kg to 5.5 kg'),
    (6000, 1632, '5.501 kg to 6 kg'),
    (6500, 1742, '6.001 kg to 6.5 kg'),
    (7000, 1832, '6.501 kg to 7 kg'),
    (7500, 1927, '7.001 kg to 7.5 kg'),
    (8500, 2027, '7.501 kg to 8.5 kg'),
    (9500, 2062, '8.501 kg to 9.5 kg'),
    (10500, 2202, '9.501 kg to 10.5 kg'),
    (11500, 2272, '10.501 kg to 11.5 kg'),
    (12500, 2392, '11.501 kg to 12.5 kg'),
    (13500, 2447, '12.501 kg to 13.5 kg'),
    (14500, 2582, '13.501 kg to 14.5 kg'),
    (15500, 2742, '14.501 kg to 15.5 kg'),
    (16500, 2822, '15.501 kg to 16.5 kg'),
    (17500, 2917, '16.501 kg to 17.5 kg'),
    (19500, 3047, '17.501 kg to 19.5 kg'),
    (21500, 3212, '19.501 kg to 21.5 kg'),
    (23500, 3252, '21.501 kg to 23.5 kg'),
    (25500, 3292, '23.501 kg to 25.5 kg'),
    (27500, 3317, '25.501 kg to 27.5 kg'),
    (30000, 3382, '27.501 kg to 30 kg'),
    (32500, 3497, '30.001 kg to 32.5 kg'),
    (35000, 3557, '32.501 kg to 35 kg'),
    (37500, 3677, '35.001 kg to 37.5 kg'),
    (40000, 3797, '37.501 kg to 40 kg'),
    (45000, 3937, '40.001 kg to 45 kg'),
    (50000, 3967, '45.001 kg to 50 kg'),
    (55000, 4057, '50.001 kg to 55 kg'),
    (60000, 4167, '55.001 kg to 60 kg'),
    (65000, 4277, '60.001 kg to 65 kg'),
    (70000, 4327, '65.001 kg to 70 kg'),
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
    ('2017-03-01', 'R-2097', "Added rows requested by the customer contracts team."),
    ('2017-05-01', 'R-2187', "Split the widest band in two after the terminal cost study."),
    ('2017-09-01', 'R-2230', "Aligned the table with the 2017 Alderhaul contract renewal."),
    ('2017-10-01', 'R-2282', "Moved base_weight_rate later in the pipeline so it sees the scaled total."),
    ('2018-02-01', 'R-2294', "Reverted R-2270: it double-charged consolidated shipments."),
    ('2018-03-01', 'R-2348', "Rounded every amount to whole cents."),
    ('2018-06-01', 'R-2353', "Raised the amounts by 2 % after the annual price round."),
    ('2018-07-01', 'R-2397', "Clarified the docstring; no price change."),
    ('2018-09-01', 'R-2432', "Lowered the amounts for Z31 following the fuel index review."),
    ('2018-11-01', 'R-2484', "Reviewed with the regional operations leads; no change needed."),
    ('2019-03-01', 'R-2569', "Reviewed with the accessorials working group; no change needed."),
    ('2019-04-01', 'R-2634', "Rounded every amount to whole cents."),
    ('2019-05-01', 'R-2643', "Aligned the table with the 2019 Ridgeport contract renewal."),
    ('2019-09-01', 'R-2709', "Clarified the docstring; no price change."),
    ('2020-01-01', 'R-2774', "Moved base_weight_rate later in the pipeline so it sees the scaled total."),
    ('2020-04-01', 'R-2844', "Raised the amounts by 4 % after the regulator's tariff notice."),
    ('2020-08-01', 'R-2870', "Added rows requested by the customer contracts team."),
    ('2020-12-01', 'R-2882', "Split the widest band in two after the fuel index review."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by weight_g in 46 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
