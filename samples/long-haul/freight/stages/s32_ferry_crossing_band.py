"""Stage 32: ferry_crossing_band.

Adds the ferry and bridge toll component for lanes that cross water.

The fee is looked up in ``TIERS`` by ``distance_km``, the lane distance in kilometres.
Tiers are inclusive of their upper limit: a shipment of exactly 500 km
pays the tier that ends at 500 km, not the next one. Values above the last
limit pay the last tier.

Maintained by the linehaul pricing desk. Do not edit the table during a billing run; the next run picks it up.
"""

from freight.records import add_charge, require_fields

STAGE = 32
NAME = "ferry_crossing_band"
EFFECTIVE_FROM = "2022-09-01"

FIELD = "distance_km"
UNIT = "km"

# (upper limit in km, inclusive; fee in cents; label)
TIERS = [
    (25, 235, '0 km to 25 km'),
    (50, 320, '26 km to 50 km'),
    (75, 420, '51 km to 75 km'),
    (100, 555, '76 km to 100 km'),
    (125, 695, '101 km to 125 km'),
    (150, 845, '126 km to 150 km'),
    (175, 975, '151 km to 175 km'),
    (200, 1080, '176 km to 200 km'),
    (225, 1185, '201 km to 225 km'),
    (250, 1285, '226 km to 250 km'),
    (300, 1350, '251 km to 300 km'),
    (350, 1470, '301 km to 350 km'),
    (400, 1495, '351 km to 400 km'),
    (450, 1640, '401 km to 450 km'),
    (500, 1785, '451 km to 500 km'),
    (550, 1900, '501 km to 550 km'),
    (600, 1985, '551 km to 600 km'),
    (650, 2020, '601 km to 650 km'),
    (700, 2145, '651 km to 700 km'),
    (750, 2225, '701 km to 750 km'),
    (800, 2340, '751 km to 800 km'),
    (850, 2415, '801 km to 850 km'),
    (900, 2530, '851 km to 900 km'),
    (950, 2565, '901 km to 950 km'),
    (1050, 2595, '951 km to 1,050 km'),
    (1150, 2730, '1,051 km to 1,150 km'),
    (1250, 2805, '1,151 km to 1,250 km'),
    (1350, 2840, '1,251 km to 1,350 km'),
    (1450, 2905, '1,351 km to 1,450 km'),
    (1550, 2945, '1,451 km to 1,550 km'),
    (1650, 3005, '1,551 km to 1,650 km'),
    (1750, 3035, '1,651 km to 1,750 km'),
    (1850, 3100, '1,751 km to 1,850 km'),
    (1950, 3135, '1,851 km to 1,950 km'),
    (2050, 3165, '1,951 km to 2,050 km'),
    (2150, 3315, '2,051 km to 2,150 km'),
    (2400, 3375, '2,151 km to 2,400 km'),
    (2650, 3540, '2,401 km to 2,650 km'),
    (2900, 3655, '2,651 km to 2,900 km'),
    (3150, 3680, '2,901 km to 3,150 km'),
    (3400, 3790, '3,151 km to 3,400 km'),
    (3650, 3910, '3,401 km to 3,650 km'),
    (3900, 3940, '3,651 km to 3,900 km'),
    (4150, 4070, '3,901 km to 4,150 km'),
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
    ('2017-11-01', 'R-2604', "Clarified the docstring; no price change."),
    ('2018-03-01', 'R-2644', "Reverted R-2632: it double-charged consolidated shipments."),
    ('2018-04-01', 'R-2680', "Raised the amounts by 1.5 % after the linehaul contract renewal."),
    ('2018-06-01', 'R-2721', "Split the widest band in two after the lane balance audit."),
    ('2018-09-01', 'R-2762', "Lowered the amounts for Z08 following the peak season debrief."),
    ('2019-01-01', 'R-2842', "Aligned the table with the 2019 Kestrel contract renewal."),
    ('2019-03-01', 'R-2909', "Rounded every amount to whole cents."),
    ('2019-04-01', 'R-2911', "Moved ferry_crossing_band later in the pipeline so it sees the scaled total."),
    ('2019-05-01', 'R-2951', "Added rows requested by the customer contracts team."),
    ('2019-07-01', 'R-3021', "Reviewed with the customer contracts team; no change needed."),
    ('2019-09-01', 'R-3022', "Lowered the amounts for Z21 following the claims ratio review."),
    ('2020-01-01', 'R-3035', "Rounded every amount to whole cents."),
    ('2020-05-01', 'R-3120', "Raised the amounts by 6 % after the lane balance audit."),
    ('2020-08-01', 'R-3179', "Moved ferry_crossing_band later in the pipeline so it sees the scaled total."),
    ('2020-09-01', 'R-3191', "Clarified the docstring; no price change."),
    ('2021-01-01', 'R-3271', "Added rows requested by the network planning team."),
    ('2021-04-01', 'R-3295', "Reverted R-3261: it double-charged consolidated shipments."),
    ('2021-05-01', 'R-3332', "Reviewed with the claims team; no change needed."),
    ('2021-07-01', 'R-3380', "Split the widest band in two after the claims ratio review."),
    ('2021-11-01', 'R-3451', "Aligned the table with the 2021 Northline contract renewal."),
    ('2021-12-01', 'R-3515', "Reviewed with the regional operations leads; no change needed."),
    ('2022-04-01', 'R-3572', "Aligned the table with the 2022 Alderhaul contract renewal."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by distance_km in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
