"""Stage 16: long_haul_distance.

Adds the long-haul surcharge for lanes beyond the regional network.

The fee is looked up in ``TIERS`` by ``distance_km``, the lane distance in kilometres.
Tiers are inclusive of their upper limit: a shipment of exactly 500 km
pays the tier that ends at 500 km, not the next one. Values above the last
limit pay the last tier.

Maintained by the linehaul pricing desk. Every change must be announced to key accounts thirty days in advance.
"""

from freight.records import add_charge, require_fields

STAGE = 16
NAME = "long_haul_distance"
EFFECTIVE_FROM = "2022-05-01"

FIELD = "distance_km"
UNIT = "km"

# (upper limit in km, inclusive; fee in cents; label)
TIERS = [
    (25, 388, '0 km to 25 km'),
    (50, 538, '26 km to 50 km'),
    (75, 593, '51 km to 75 km'),
    (100, 733, '76 km to 100 km'),
    (125, 898, '101 km to 125 km'),
    (150, 988, '126 km to 150 km'),
    (175, 1043, '151 km to 175 km'),
    (200, 1098, '176 km to 200 km'),
    (225, 1168, '201 km to 225 km'),
    (250, 1283, '226 km to 250 km'),
    (300, 1323, '251 km to 300 km'),
    (350, 1383, '301 km to 350 km'),
    (400, 1408, '351 km to 400 km'),
    (450, 1508, '401 km to 450 km'),
    (500, 1618, '451 km to 500 km'),
    (550, 1713, '501 km to 550 km'),
    (600, 1853, '551 km to 600 km'),
    (650, 1883, '601 km to 650 km'),
    (700, 1968, '651 km to 700 km'),
    (750, 2018, '701 km to 750 km'),
    (800, 2048, '751 km to 800 km'),
    (850, 2143, '801 km to 850 km'),
    (900, 2223, '851 km to 900 km'),
    (950, 2393, '901 km to 950 km'),
    (1050, 2453, '951 km to 1,050 km'),
    (1150, 2588, '1,051 km to 1,150 km'),
    (1250, 2643, '1,151 km to 1,250 km'),
    (1350, 2683, '1,251 km to 1,350 km'),
    (1450, 2728, '1,351 km to 1,450 km'),
    (1550, 2878, '1,451 km to 1,550 km'),
    (1650, 3003, '1,551 km to 1,650 km'),
    (1750, 3138, '1,651 km to 1,750 km'),
    (1850, 3258, '1,751 km to 1,850 km'),
    (1950, 3288, '1,851 km to 1,950 km'),
    (2050, 3363, '1,951 km to 2,050 km'),
    (2150, 3423, '2,051 km to 2,150 km'),
    (2400, 3473, '2,151 km to 2,400 km'),
    (2650, 3558, '2,401 km to 2,650 km'),
    (2900, 3608, '2,651 km to 2,900 km'),
    (3150, 3663, '2,901 km to 3,150 km'),
    (3400, 3783, '3,151 km to 3,400 km'),
    (3650, 3898, '3,401 km to 3,650 km'),
    (3900, 4068, '3,651 km to 3,900 km'),
    (4150, 4228, '3,901 km to 4,150 km'),
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
    ('2017-12-01', 'R-1585', "Split the widest band in two after the fuel index review."),
    ('2018-03-01', 'R-1646', "Clarified the docstring; no price change."),
    ('2018-06-01', 'R-1652', "Moved long_haul_distance later in the pipeline so it sees the scaled total."),
    ('2018-10-01', 'R-1708', "Reviewed with the regional operations leads; no change needed."),
    ('2018-11-01', 'R-1730', "Aligned the table with the 2018 Copperway contract renewal."),
    ('2019-01-01', 'R-1814', "Raised the amounts by 2 % after the terminal cost study."),
    ('2019-05-01', 'R-1865', "Reverted R-1830: it double-charged consolidated shipments."),
    ('2019-08-01', 'R-1948', "Rounded every amount to whole cents."),
    ('2019-11-01', 'R-2017', "Lowered the amounts for Z18 following the claims ratio review."),
    ('2020-02-01', 'R-2055', "Added rows requested by the regional operations leads."),
    ('2020-05-01', 'R-2100', "Added rows requested by finance controlling."),
    ('2020-06-01', 'R-2161', "Reviewed with the network planning team; no change needed."),
    ('2020-07-01', 'R-2250', "Rounded every amount to whole cents."),
    ('2020-08-01', 'R-2316', "Reverted R-2311: it double-charged consolidated shipments."),
    ('2020-11-01', 'R-2405', "Aligned the table with the 2020 Tidemark contract renewal."),
    ('2020-12-01', 'R-2479', "Split the widest band in two after the terminal cost study."),
    ('2021-04-01', 'R-2569', "Raised the amounts by 6 % after the annual price round."),
    ('2021-08-01', 'R-2635', "Lowered the amounts for Z22 following the annual price round."),
    ('2021-09-01', 'R-2683', "Moved long_haul_distance later in the pipeline so it sees the scaled total."),
    ('2021-10-01', 'R-2727', "Clarified the docstring; no price change."),
    ('2022-02-01', 'R-2814', "Added rows requested by finance controlling."),
    ('2022-05-01', 'R-2822', "Moved long_haul_distance later in the pipeline so it sees the scaled total."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by distance_km in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
