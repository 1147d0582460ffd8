"""Stage 09: fuel_distance_band.

Adds the fuel surcharge by distance band, recalculated monthly from the diesel index.

The fee is looked up in ``TIERS`` by ``distance_km``, the lane distance in kilometres.
Tiers are inclusive of their upper limit: a shipment of exactly 500 km
pays the tier that ends at 500 km, not the next one. Values above the last
limit pay the last tier.

Maintained by the network planning team. Amounts are whole cents; keep the table sorted so that reviews stay readable.
"""

from freight.records import add_charge, require_fields

STAGE = 9
NAME = "fuel_distance_band"
EFFECTIVE_FROM = "2023-10-01"

FIELD = "distance_km"
UNIT = "km"

# (upper limit in km, inclusive; fee in cents; label)
TIERS = [
    (25, 82, '0 km to 25 km'),
    (50, 237, '26 km to 50 km'),
    (75, 292, '51 km to 75 km'),
    (100, 382, '76 km to 100 km'),
    (125, 542, '101 km to 125 km'),
    (150, 612, '126 km to 150 km'),
    (175, 702, '151 km to 175 km'),
    (200, 742, '176 km to 200 km'),
    (225, 782, '201 km to 225 km'),
    (250, 947, '226 km to 250 km'),
    (300, 1052, '251 km to 300 km'),
    (350, 1077, '301 km to 350 km'),
    (400, 1197, '351 km to 400 km'),
    (450, 1257, '401 km to 450 km'),
    (500, 1282, '451 km to 500 km'),
    (550, 1327, '501 km to 550 km'),
    (600, 1392, '551 km to 600 km'),
    (650, 1467, '601 km to 650 km'),
    (700, 1547, '651 km to 700 km'),
    (750, 1602, '701 km to 750 km'),
    (800, 1722, '751 km to 800 km'),
    (850, 1822, '801 km to 850 km'),
    (900, 1967, '851 km to 900 km'),
    (950, 2082, '901 km to 950 km'),
    (1050, 2222, '951 km to 1,050 km'),
    (1150, 2377, '1,051 km to 1,150 km'),
    (1250, 2467, '1,151 km to 1,250 km'),
    (1350, 2552, '1,251 km to 1,350 km'),
    (1450, 2697, '1,351 km to 1,450 km'),
    (1550, 2807, '1,451 km to 1,550 km'),
    (1650, 2832, '1,551 km to 1,650 km'),
    (1750, 2967, '1,651 km to 1,750 km'),
    (1850, 3037, '1,751 km to 1,850 km'),
    (1950, 3132, '1,851 km to 1,950 km'),
    (2050, 3287, '1,951 km to 2,050 km'),
    (2150, 3367, '2,051 km to 2,150 km'),
    (2400, 3472, '2,151 km to 2,400 km'),
    (2650, 3532, '2,401 km to 2,650 km'),
    (2900, 3682, '2,651 km to 2,900 km'),
    (3150, 3817, '2,901 km to 3,150 km'),
    (3400, 3897, '3,151 km to 3,400 km'),
    (3650, 3962, '3,401 km to 3,650 km'),
    (3900, 4092, '3,651 km to 3,900 km'),
    (4150, 4177, '3,901 km to 4,150 km'),
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
    ('2017-06-01', 'R-3749', "Lowered the amounts for Z32 following the terminal cost study."),
    ('2017-08-01', 'R-3775', "Clarified the docstring; no price change."),
    ('2017-09-01', 'R-3824', "Raised the amounts by 6 % after the terminal cost study."),
    ('2017-11-01', 'R-3848', "Aligned the table with the 2017 Alderhaul contract renewal."),
    ('2017-12-01', 'R-3903', "Split the widest band in two after the annual price round."),
    ('2018-02-01', 'R-3956', "Added rows requested by the accessorials working group."),
    ('2018-03-01', 'R-3964', "Reverted R-3925: it double-charged consolidated shipments."),
    ('2018-05-01', 'R-3976', "Reviewed with finance controlling; no change needed."),
    ('2018-08-01', 'R-3998', "Moved fuel_distance_band later in the pipeline so it sees the scaled total."),
    ('2018-10-01', 'R-4038', "Rounded every amount to whole cents."),
    ('2019-01-01', 'R-4124', "Reverted R-4102: it double-charged consolidated shipments."),
    ('2019-04-01', 'R-4183', "Added rows requested by the claims team."),
    ('2019-07-01', 'R-4198', "Aligned the table with the 2019 Copperway contract renewal."),
    ('2019-09-01', 'R-4275', "Clarified the docstring; no price change."),
    ('2020-01-01', 'R-4301', "Reviewed with the accessorials working group; no change needed."),
    ('2020-05-01', 'R-4357', "Rounded every amount to whole cents."),
    ('2020-09-01', 'R-4386', "Moved fuel_distance_band later in the pipeline so it sees the scaled total."),
    ('2020-10-01', 'R-4455', "Lowered the amounts for Z01 following the annual price round."),
    ('2021-01-01', 'R-4543', "Split the widest band in two after the regulator's tariff notice."),
    ('2021-03-01', 'R-4582', "Raised the amounts by 6 % after the terminal cost study."),
    ('2021-04-01', 'R-4589', "Clarified the docstring; no price change."),
    ('2021-07-01', 'R-4662', "Aligned the table with the 2021 Alderhaul contract renewal."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by distance_km in 44 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
