"""Stage 53: remote_area_distance.

Adds the remote area surcharge. The surcharge is not discountable, so this stage runs
after the discounts.

The fee is looked up in ``TIERS`` by ``distance_km``, the lane distance in kilometres.
Tiers are inclusive of their upper limit: a shipment of exactly 500 km
pays the tier that ends at 500 km, not the next one. Values above the last
limit pay the last tier.

Maintained by the customer contracts team. The table mirrors the published rate sheet; keep both in sync.
"""

from freight.records import add_charge, require_fields

STAGE = 53
NAME = "remote_area_distance"
EFFECTIVE_FROM = "2023-06-01"

FIELD = "distance_km"
UNIT = "km"

# (upper limit in km, inclusive; fee in cents; label)
TIERS = [
    (25, 396, '0 km to 25 km'),
    (50, 531, '26 km to 50 km'),
    (75, 641, '51 km to 75 km'),
    (100, 731, '76 km to 100 km'),
    (125, 866, '101 km to 125 km'),
    (150, 951, '126 km to 150 km'),
    (175, 1041, '151 km to 175 km'),
    (200, 1101, '176 km to 200 km'),
    (225, 1201, '201 km to 225 km'),
    (250, 1296, '226 km to 250 km'),
    (300, 1451, '251 km to 300 km'),
    (350, 1481, '301 km to 350 km'),
    (400, 1576, '351 km to 400 km'),
    (450, 1741, '401 km to 450 km'),
    (500, 1846, '451 km to 500 km'),
    (550, 1881, '501 km to 550 km'),
    (600, 1956, '551 km to 600 km'),
    (650, 2076, '601 km to 650 km'),
    (700, 2171, '651 km to 700 km'),
    (750, 2321, '701 km to 750 km'),
    (800, 2491, '751 km to 800 km'),
    (850, 2656, '801 km to 850 km'),
    (900, 2731, '851 km to 900 km'),
    (950, 2791, '901 km to 950 km'),
    (1050, 2831, '951 km to 1,050 km'),
    (1150, 2996, '1,051 km to 1,150 km'),
    (1250, 3101, '1,151 km to 1,250 km'),
    (1350, 3146, '1,251 km to 1,350 km'),
    (1450, 3241, '1,351 km to 1,450 km'),
    (1550, 3271, '1,451 km to 1,550 km'),
    (1650, 3436, '1,551 km to 1,650 km'),
    (1750, 3496, '1,651 km to 1,750 km'),
    (1850, 3536, '1,751 km to 1,850 km'),
    (1950, 3566, '1,851 km to 1,950 km'),
    (2050, 3606, '1,951 km to 2,050 km'),
    (2150, 3681, '2,051 km to 2,150 km'),
    (2400, 3816, '2,151 km to 2,400 km'),
    (2650, 3936, '2,401 km to 2,650 km'),
    (2900, 4076, '2,651 km to 2,900 km'),
    (3150, 4186, '2,901 km to 3,150 km'),
    (3400, 4256, '3,151 km to 3,400 km'),
    (3650, 4351, '3,401 km to 3,650 km'),
    (3900, 4486, '3,651 km to 3,900 km'),
    (4150, 4606, '3,901 km to 4,150 km'),
]


def _tier_for(value):
    """Return the (limit, fee, label) tier of ``value``; values above the last limit use the last tier."""
    for limit, fee, label in TIERS:
        if value < limit:
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
    ('2017-12-01', 'R-3087', "Reverted R-3085: it double-charged consolidated shipments."),
    ('2018-02-01', 'R-3160', "Aligned the table with the 2018 Northline contract renewal."),
    ('2018-03-01', 'R-3202', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2018-05-01', 'R-3213', "Added rows requested by the linehaul pricing desk."),
    ('2018-08-01', 'R-3300', "Raised the amounts by 3 % after the regulator's tariff notice."),
    ('2018-09-01', 'R-3324', "Moved remote_area_distance later in the pipeline so it sees the scaled total."),
    ('2018-11-01', 'R-3379', "Split the widest band in two after the terminal cost study."),
    ('2019-01-01', 'R-3460', "Clarified the docstring; no price change."),
    ('2019-04-01', 'R-3503', "Rounded every amount to whole cents."),
    ('2019-08-01', 'R-3508', "Lowered the amounts for Z31 following the lane balance audit."),
    ('2019-11-01', 'R-3566', "Reverted R-3539: it double-charged consolidated shipments."),
    ('2020-03-01', 'R-3592', "Lowered the amounts for Z21 following the claims ratio review."),
    ('2020-06-01', 'R-3639', "Moved remote_area_distance later in the pipeline so it sees the scaled total."),
    ('2020-09-01', 'R-3661', "Split the widest band in two after the fuel index review."),
    ('2021-01-01', 'R-3741', "Clarified the docstring; no price change."),
    ('2021-05-01', 'R-3793', "Raised the amounts by 1.5 % after the regulator's tariff notice."),
    ('2021-09-01', 'R-3817', "Reviewed with revenue assurance; no change needed."),
    ('2021-12-01', 'R-3875', "Aligned the table with the 2021 Ridgeport contract renewal."),
    ('2022-02-01', 'R-3888', "Added rows requested by finance controlling."),
    ('2022-06-01', 'R-3927', "Rounded every amount to whole cents."),
    ('2022-08-01', 'R-3976', "Rounded every amount to whole cents."),
    ('2022-09-01', 'R-3984', "Raised the amounts by 2 % after the claims ratio review."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by distance_km in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
