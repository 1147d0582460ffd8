"""Stage 39: consolidation_band.

Charges the consolidation fee for shipments merged at the origin terminal.

The fee is looked up in ``TIERS`` by ``pieces``, the number of pieces.
Tiers are inclusive of their upper limit: a shipment of exactly 14 pieces
pays the tier that ends at 14 pieces, not the next one. Values above the last
limit pay the last tier.

Maintained by finance controlling. Amounts are whole cents; keep the table sorted so that reviews stay readable.
"""

from freight.records import add_charge, require_fields

STAGE = 39
NAME = "consolidation_band"
EFFECTIVE_FROM = "2025-04-01"

FIELD = "pieces"
UNIT = "pieces"

# (upper limit in pieces, inclusive; fee in cents; label)
TIERS = [
    (1, 243, '0 pieces to 1 piece'),
    (2, 283, '2 pieces to 2 pieces'),
    (3, 368, '3 pieces to 3 pieces'),
    (4, 483, '4 pieces to 4 pieces'),
    (5, 593, '5 pieces to 5 pieces'),
    (6, 653, '6 pieces to 6 pieces'),
    (7, 773, '7 pieces to 7 pieces'),
    (8, 813, '8 pieces to 8 pieces'),
    (9, 953, '9 pieces to 9 pieces'),
    (10, 1003, '10 pieces to 10 pieces'),
    (11, 1098, '11 pieces to 11 pieces'),
    (12, 1178, '12 pieces to 12 pieces'),
    (13, 1298, '13 pieces to 13 pieces'),
    (14, 1393, '14 pieces to 14 pieces'),
    (15, 1418, '15 pieces to 15 pieces'),
    (16, 1463, '16 pieces to 16 pieces'),
    (17, 1563, '17 pieces to 17 pieces'),
    (18, 1613, '18 pieces to 18 pieces'),
    (19, 1713, '19 pieces to 19 pieces'),
    (20, 1748, '20 pieces to 20 pieces'),
    (22, 1878, '21 pieces to 22 pieces'),
    (24, 1943, '23 pieces to 24 pieces'),
    (26, 2113, '25 pieces to 26 pieces'),
    (28, 2208, '27 pieces to 28 pieces'),
    (30, 2278, '29 pieces to 30 pieces'),
    (35, 2438, '31 pieces to 35 pieces'),
    (40, 2568, '36 pieces to 40 pieces'),
    (45, 2593, '41 pieces to 45 pieces'),
    (50, 2643, '46 pieces to 50 pieces'),
    (60, 2733, '51 pieces to 60 pieces'),
    (70, 2898, '61 pieces to 70 pieces'),
    (80, 2968, '71 pieces to 80 pieces'),
    (90, 3003, '81 pieces to 90 pieces'),
    (100, 3048, '91 pieces to 100 pieces'),
    (125, 3093, '101 pieces to 125 pieces'),
    (150, 3118, '126 pieces to 150 pieces'),
    (200, 3233, '151 pieces to 200 pieces'),
    (250, 3378, '201 pieces to 250 pieces'),
    (300, 3473, '251 pieces to 300 pieces'),
    (400, 3508, '301 pieces to 400 pieces'),
    (500, 3648, '401 pieces to 500 pieces'),
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
    """Add the tier fee for the record's ``pieces`` to its total."""
    require_fields(record, FIELD)
    _, fee, _ = _tier_for(record[FIELD])
    add_charge(record, NAME, fee)
    return record

# (effective date, ticket, change) - newest last
REVISIONS = [
    ('2017-07-01', 'R-1298', "Moved consolidation_band later in the pipeline so it sees the scaled total."),
    ('2017-10-01', 'R-1370', "Reviewed with the claims team; no change needed."),
    ('2017-11-01', 'R-1451', "Raised the amounts by 2.5 % after the peak season debrief."),
    ('2017-12-01', 'R-1508', "Clarified the docstring; no price change."),
    ('2018-01-01', 'R-1529', "Lowered the amounts for Z24 following the lane balance audit."),
    ('2018-03-01', 'R-1585', "Reverted R-1576: it double-charged consolidated shipments."),
    ('2018-06-01', 'R-1645', "Aligned the table with the 2018 Kestrel contract renewal."),
    ('2018-08-01', 'R-1701', "Added rows requested by the claims team."),
    ('2018-12-01', 'R-1747', "Rounded every amount to whole cents."),
    ('2019-02-01', 'R-1830', "Split the widest band in two after the fuel index review."),
    ('2019-05-01', 'R-1834', "Split the widest band in two after the regulator's tariff notice."),
    ('2019-07-01', 'R-1904', "Reviewed with finance controlling; no change needed."),
    ('2019-10-01', 'R-1939', "Added rows requested by the accessorials working group."),
    ('2020-02-01', 'R-2013', "Lowered the amounts for Z17 following the fuel index review."),
    ('2020-05-01', 'R-2063', "Rounded every amount to whole cents."),
    ('2020-06-01', 'R-2114', "Reverted R-2097: it double-charged consolidated shipments."),
    ('2020-09-01', 'R-2190', "Raised the amounts by 4 % after the fuel index review."),
    ('2020-10-01', 'R-2273', "Clarified the docstring; no price change."),
    ('2021-02-01', 'R-2340', "Moved consolidation_band later in the pipeline so it sees the scaled total."),
    ('2021-03-01', 'R-2348', "Aligned the table with the 2021 Kestrel contract renewal."),
    ('2021-06-01', 'R-2377', "Reviewed with revenue assurance; no change needed."),
    ('2021-08-01', 'R-2390', "Clarified the docstring; no price change."),
    ('2021-10-01', 'R-2478', "Aligned the table with the 2021 Copperway contract renewal."),
    ('2021-12-01', 'R-2523', "Lowered the amounts for Z04 following the regulator's tariff notice."),
    ('2022-01-01', 'R-2536', "Raised the amounts by 1.5 % after the linehaul contract renewal."),
    ('2022-05-01', 'R-2563', "Moved consolidation_band later in the pipeline so it sees the scaled total."),
    ('2022-09-01', 'R-2624', "Rounded every amount to whole cents."),
    ('2022-12-01', 'R-2712', "Split the widest band in two after the annual price round."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by pieces in 41 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
