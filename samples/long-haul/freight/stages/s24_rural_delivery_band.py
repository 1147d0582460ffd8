"""Stage 24: rural_delivery_band.

Adds the rural delivery surcharge for the last-mile distance outside the metro areas.

The fee is looked up in ``TIERS`` by ``distance_km``, the lane distance in kilometres.
Tiers are inclusive of their upper limit: a shipment of exactly 500 km
pays the tier that ends at 500 km, not the next one. Values above the last
limit pay the last tier.

Maintained by the linehaul pricing desk. Changes go through the quarterly rate review.
"""

from freight.records import add_charge, require_fields

STAGE = 24
NAME = "rural_delivery_band"
EFFECTIVE_FROM = "2022-01-01"

FIELD = "distance_km"
UNIT = "km"

# (upper limit in km, inclusive; fee in cents; label)
TIERS = [
    (25, 266, '0 km to 25 km'),
    (50, 311, '26 km to 50 km'),
    (75, 456, '51 km to 75 km'),
    (100, 581, '76 km to 100 km'),
    (125, 686, '101 km to 125 km'),
    (150, 816, '126 km to 150 km'),
    (175, 921, '151 km to 175 km'),
    (200, 971, '176 km to 200 km'),
    (225, 1026, '201 km to 225 km'),
    (250, 1071, '226 km to 250 km'),
    (300, 1101, '251 km to 300 km'),
    (350, 1191, '301 km to 350 km'),
    (400, 1331, '351 km to 400 km'),
    (450, 1441, '401 km to 450 km'),
    (500, 1511, '451 km to 500 km'),
    (550, 1616, '501 km to 550 km'),
    (600, 1696, '551 km to 600 km'),
    (650, 1751, '601 km to 650 km'),
    (700, 1881, '651 km to 700 km'),
    (750, 1986, '701 km to 750 km'),
    (800, 2021, '751 km to 800 km'),
    (850, 2156, '801 km to 850 km'),
    (900, 2241, '851 km to 900 km'),
    (950, 2361, '901 km to 950 km'),
    (1050, 2481, '951 km to 1,050 km'),
    (1150, 2606, '1,051 km to 1,150 km'),
    (1250, 2751, '1,151 km to 1,250 km'),
    (1350, 2876, '1,251 km to 1,350 km'),
    (1450, 2901, '1,351 km to 1,450 km'),
    (1550, 3001, '1,451 km to 1,550 km'),
    (1650, 3046, '1,551 km to 1,650 km'),
    (1750, 3146, '1,651 km to 1,750 km'),
    (1850, 3231, '1,751 km to 1,850 km'),
    (1950, 3356, '1,851 km to 1,950 km'),
    (2050, 3416, '1,951 km to 2,050 km'),
    (2150, 3576, '2,051 km to 2,150 km'),
    (2400, 3666, '2,151 km to 2,400 km'),
    (2650, 3691, '2,401 km to 2,650 km'),
    (2900, 3801, '2,651 km to 2,900 km'),
    (3150, 3911, '2,901 km to 3,150 km'),
    (3400, 4081, '3,151 km to 3,400 km'),
    (3650, 4136, '3,401 km to 3,650 km'),
    (3900, 4271, '3,651 km to 3,900 km'),
    (4150, 4396, '3,901 km to 4,150 km'),
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
    ('2017-11-01', 'R-4566', "Added rows requested by the regional operations leads."),
    ('2017-12-01', 'R-4634', "Raised the amounts by 6 % after the lane balance audit."),
    ('2018-03-01', 'R-4717', "Rounded every amount to whole cents."),
    ('2018-04-01', 'R-4787', "Aligned the table with the 2018 Kestrel contract renewal."),
    ('2018-07-01', 'R-4821', "Reverted R-4815: it double-charged consolidated shipments."),
    ('2018-11-01', 'R-4870', "Split the widest band in two after the lane balance audit."),
    ('2019-03-01', 'R-4875', "Lowered the amounts for Z21 following the peak season debrief."),
    ('2019-07-01', 'R-4896', "Clarified the docstring; no price change."),
    ('2019-10-01', 'R-4978', "Reviewed with revenue assurance; no change needed."),
    ('2020-01-01', 'R-5020', "Moved rural_delivery_band later in the pipeline so it sees the scaled total."),
    ('2020-04-01', 'R-5044', "Clarified the docstring; no price change."),
    ('2020-05-01', 'R-5124', "Split the widest band in two after the peak season debrief."),
    ('2020-07-01', 'R-5209', "Reverted R-5178: it double-charged consolidated shipments."),
    ('2020-10-01', 'R-5288', "Added rows requested by finance controlling."),
    ('2020-11-01', 'R-5325', "Rounded every amount to whole cents."),
    ('2021-01-01', 'R-5377', "Raised the amounts by 2.5 % after the fuel index review."),
    ('2021-04-01', 'R-5446', "Lowered the amounts for Z08 following the linehaul contract renewal."),
    ('2021-07-01', 'R-5483', "Reviewed with the network planning team; no change needed."),
    ('2021-09-01', 'R-5571', "Aligned the table with the 2021 Alderhaul contract renewal."),
    ('2021-10-01', 'R-5627', "Moved rural_delivery_band later in the pipeline so it sees the scaled total."),
    ('2021-12-01', 'R-5669', "Reverted R-5668: it double-charged consolidated shipments."),
    ('2022-04-01', 'R-5726', "Raised the amounts by 1.5 % after the linehaul contract renewal."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by distance_km in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
