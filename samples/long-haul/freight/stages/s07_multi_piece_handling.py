"""Stage 07: multi_piece_handling.

Charges handling for shipments with several pieces, which need extra scans and sortation
passes.

The fee is looked up in ``TIERS`` by ``pieces``, the number of pieces.
Tiers are inclusive of their upper limit: a shipment of exactly 14 pieces
pays the tier that ends at 14 pieces, not the next one. Values above the last
limit pay the last tier.

Maintained by finance controlling. Changes need a ticket and a second reviewer from finance.
"""

from freight.records import add_charge, require_fields

STAGE = 7
NAME = "multi_piece_handling"
EFFECTIVE_FROM = "2025-08-01"

FIELD = "pieces"
UNIT = "pieces"

# (upper limit in pieces, inclusive; fee in cents; label)
TIERS = [
    (1, 183, '0 pieces to 1 piece'),
    (2, 323, '2 pieces to 2 pieces'),
    (3, 378, '3 pieces to 3 pieces'),
    (4, 463, '4 pieces to 4 pieces'),
    (5, 558, '5 pieces to 5 pieces'),
    (6, 598, '6 pieces to 6 pieces'),
    (7, 708, '7 pieces to 7 pieces'),
    (8, 878, '8 pieces to 8 pieces'),
    (9, 998, '9 pieces to 9 pieces'),
    (10, 1053, '10 pieces to 10 pieces'),
    (11, 1138, '11 pieces to 11 pieces'),
    (12, 1178, '12 pieces to 12 pieces'),
    (13, 1338, '13 pieces to 13 pieces'),
    (14, 1403, '14 pieces to 14 pieces'),
    (15, 1503, '15 pieces to 15 pieces'),
    (16, 1558, '16 pieces to 16 pieces'),
    (17, 1728, '17 pieces to 17 pieces'),
    (18, 1818, '18 pieces to 18 pieces'),
    (19, 1893, '19 pieces to 19 pieces'),
    (20, 2038, '20 pieces to 20 pieces'),
    (22, 2203, '21 pieces to 22 pieces'),
    (24, 2293, '23 pieces to 24 pieces'),
    (26, 2378, '25 pieces to 26 pieces'),
    (28, 2488, '27 pieces to 28 pieces'),
    (30, 2583, '29 pieces to 30 pieces'),
    (35, 2658, '31 pieces to 35 pieces'),
    (40, 2803, '36 pieces to 40 pieces'),
    (45, 2933, '41 pieces to 45 pieces'),
    (50, 2993, '46 pieces to 50 pieces'),
    (60, 3118, '51 pieces to 60 pieces'),
    (70, 3143, '61 pieces to 70 pieces'),
    (80, 3308, '71 pieces to 80 pieces'),
    (90, 3393, '81 pieces to 90 pieces'),
    (100, 3468, '91 pieces to 100 pieces'),
    (125, 3528, '101 pieces to 125 pieces'),
    (150, 3608, '126 pieces to 150 pieces'),
    (200, 3733, '151 pieces to 200 pieces'),
    (250, 3813, '201 pieces to 250 pieces'),
    (300, 3918, '251 pieces to 300 pieces'),
    (400, 4018, '301 pieces to 400 pieces'),
    (500, 4163, '401 pieces to 500 pieces'),
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
    ('2018-01-01', 'R-4644', "Moved multi_piece_handling later in the pipeline so it sees the scaled total."),
    ('2018-02-01', 'R-4663', "Reviewed with finance controlling; no change needed."),
    ('2018-03-01', 'R-4728', "Aligned the table with the 2018 Ridgeport contract renewal."),
    ('2018-06-01', 'R-4786', "Clarified the docstring; no price change."),
    ('2018-09-01', 'R-4841', "Raised the amounts by 2.5 % after the peak season debrief."),
    ('2018-12-01', 'R-4894', "Lowered the amounts for Z30 following the lane balance audit."),
    ('2019-02-01', 'R-4980', "Added rows requested by the claims team."),
    ('2019-06-01', 'R-5045', "Split the widest band in two after the regulator's tariff notice."),
    ('2019-07-01', 'R-5048', "Rounded every amount to whole cents."),
    ('2019-10-01', 'R-5076', "Reverted R-5045: it double-charged consolidated shipments."),
    ('2019-12-01', 'R-5147', "Raised the amounts by 1.5 % after the linehaul contract renewal."),
    ('2020-04-01', 'R-5202', "Reviewed with the regional operations leads; no change needed."),
    ('2020-08-01', 'R-5223', "Reverted R-5208: it double-charged consolidated shipments."),
    ('2020-12-01', 'R-5279', "Aligned the table with the 2020 Alderhaul contract renewal."),
    ('2021-03-01', 'R-5312', "Split the widest band in two after the claims ratio review."),
    ('2021-05-01', 'R-5395', "Added rows requested by the network planning team."),
    ('2021-08-01', 'R-5479', "Lowered the amounts for Z04 following the claims ratio review."),
    ('2021-11-01', 'R-5561', "Moved multi_piece_handling later in the pipeline so it sees the scaled total."),
    ('2022-01-01', 'R-5598', "Clarified the docstring; no price change."),
    ('2022-04-01', 'R-5687', "Rounded every amount to whole cents."),
    ('2022-06-01', 'R-5694', "Reverted R-5691: it double-charged consolidated shipments."),
    ('2022-10-01', 'R-5730', "Added rows requested by finance controlling."),
    ('2022-12-01', 'R-5803', "Aligned the table with the 2022 Kestrel contract renewal."),
    ('2023-01-01', 'R-5872', "Split the widest band in two after the linehaul contract renewal."),
    ('2023-05-01', 'R-5925', "Moved multi_piece_handling later in the pipeline so it sees the scaled total."),
    ('2023-07-01', 'R-5975', "Rounded every amount to whole cents."),
    ('2023-10-01', 'R-6023', "Clarified the docstring; no price change."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by pieces in 41 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
