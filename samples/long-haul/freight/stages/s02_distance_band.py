"""Stage 02: distance_band.

Adds the distance component of the base rate, measured from the origin terminal to the
destination terminal.

The fee is looked up in ``TIERS`` by ``distance_km``, the lane distance in kilometres.
Tiers are inclusive of their upper limit: a shipment of exactly 500 km
pays the tier that ends at 500 km, not the next one. Values above the last
limit pay the last tier.

Maintained by revenue assurance. Do not edit the table during a billing run; the next run picks it up.
"""

from freight.records import add_charge, require_fields

STAGE = 2
NAME = "distance_band"
EFFECTIVE_FROM = "2024-03-01"

FIELD = "distance_km"
UNIT = "km"

# (upper limit in km, inclusive; fee in cents; label)
TIERS = [
    (25, 55, '0 km to 25 km'),
    (50, 85, '26 km to 50 km'),
    (75, 220, '51 km to 75 km'),
    (100, 360, '76 km to 100 km'),
    (125, 455, '101 km to 125 km'),
    (150, 570, '126 km to 150 km'),
    (175, 655, '151 km to 175 km'),
    (200, 745, '176 km to 200 km'),
    (225, 865, '201 km to 225 km'),
    (250, 1030, '226 km to 250 km'),
    (300, 1190, '251 km to 300 km'),
    (350, 1245, '301 km to 350 km'),
    (400, 1275, '351 km to 400 km'),
    (450, 1430, '401 km to 450 km'),
    (500, 1500, '451 km to 500 km'),
    (550, 1605, '501 km to 550 km'),
    (600, 1690, '551 km to 600 km'),
    (650, 1800, '601 km to 650 km'),
    (700, 1910, '651 km to 700 km'),
    (750, 2035, '701 km to 750 km'),
    (800, 2150, '751 km to 800 km'),
    (850, 2200, '801 km to 850 km'),
    (900, 2230, '851 km to 900 km'),
    (950, 2380, '901 km to 950 km'),
    (1050, 2430, '951 km to 1,050 km'),
    (1150, 2510, '1,051 km to 1,150 km'),
    (1250, 2570, '1,151 km to 1,250 km'),
    (1350, 2610, '1,251 km to 1,350 km'),
    (1450, 2780, '1,351 km to 1,450 km'),
    (1550, 2905, '1,451 km to 1,550 km'),
    (1650, 3020, '1,551 km to 1,650 km'),
    (1750, 3150, '1,651 km to 1,750 km'),
    (1850, 3220, '1,751 km to 1,850 km'),
    (1950, 3280, '1,851 km to 1,950 km'),
    (2050, 3335, '1,951 km to 2,050 km'),
    (2150, 3420, '2,051 km to 2,150 km'),
    (2400, 3550, '2,151 km to 2,400 km'),
    (2650, 3675, '2,401 km to 2,650 km'),
    (2900, 3820, '2,651 km to 2,900 km'),
    (3150, 3915, '2,901 km to 3,150 km'),
    (3400, 4075, '3,151 km to 3,400 km'),
    (3650, 4215, '3,401 km to 3,650 km'),
    (3900, 4320, '3,651 km to 3,900 km'),
    (4150, 4360, '3,901 km to 4,150 km'),
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
    """Add the tier fee for the record's ``distance_km`` to its total."""
    require_fields(record, FIELD)
    _, fee, _ = _tier_for(record[FIELD])
    add_charge(record, NAME, fee)
    return record

# (effective date, ticket, change) - newest last
REVISIONS = [
    ('2017-06-01', 'R-3878', "Raised the amounts by 6 % after the claims ratio review."),
    ('2017-10-01', 'R-3950', "Rounded every amount to whole cents."),
    ('2018-02-01', 'R-3998', "Aligned the table with the 2018 Tidemark contract renewal."),
    ('2018-06-01', 'R-4076', "Added rows requested by finance controlling."),
    ('2018-07-01', 'R-4137', "Reverted R-4133: it double-charged consolidated shipments."),
    ('2018-11-01', 'R-4207', "Lowered the amounts for Z25 following the linehaul contract renewal."),
    ('2019-03-01', 'R-4255', "Reviewed with the customer contracts team; no change needed."),
    ('2019-06-01', 'R-4258', "Split the widest band in two after the peak season debrief."),
    ('2019-10-01', 'R-4331', "Moved distance_band later in the pipeline so it sees the scaled total."),
    ('2020-01-01', 'R-4397', "Clarified the docstring; no price change."),
    ('2020-03-01', 'R-4424', "Reverted R-4421: it double-charged consolidated shipments."),
    ('2020-05-01', 'R-4509', "Clarified the docstring; no price change."),
    ('2020-07-01', 'R-4516', "Moved distance_band later in the pipeline so it sees the scaled total."),
    ('2020-09-01', 'R-4543', "Rounded every amount to whole cents."),
    ('2020-11-01', 'R-4605', "Aligned the table with the 2020 Bayfreight contract renewal."),
    ('2021-03-01', 'R-4685', "Split the widest band in two after the fuel index review."),
    ('2021-05-01', 'R-4767', "Added rows requested by the accessorials working group."),
    ('2021-08-01', 'R-4798', "Reviewed with the network planning team; no change needed."),
    ('2021-09-01', 'R-4835', "Lowered the amounts for Z17 following the regulator's tariff notice."),
    ('2021-11-01', 'R-4839', "Raised the amounts by 2.5 % after the regulator's tariff notice."),
    ('2021-12-01', 'R-4878', "Clarified the docstring; no price change."),
    ('2022-02-01', 'R-4952', "Lowered the amounts for Z25 following the regulator's tariff notice."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by distance_km in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
