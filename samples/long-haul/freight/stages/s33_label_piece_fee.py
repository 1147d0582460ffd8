"""Stage 33: label_piece_fee.

Charges the label printing fee per band of pieces.

The fee is looked up in ``TIERS`` by ``pieces``, the number of pieces.
Tiers are inclusive of their upper limit: a shipment of exactly 14 pieces
pays the tier that ends at 14 pieces, not the next one. Values above the last
limit pay the last tier.

Maintained by the network planning team. Amounts are whole cents; keep the table sorted so that reviews stay readable.
"""

from freight.records import add_charge, require_fields

STAGE = 33
NAME = "label_piece_fee"
EFFECTIVE_FROM = "2023-10-01"

FIELD = "pieces"
UNIT = "pieces"

# (upper limit in pieces, inclusive; fee in cents; label)
TIERS = [
    (1, 399, '0 pieces to 1 piece'),
    (2, 494, '2 pieces to 2 pieces'),
    (3, 629, '3 pieces to 3 pieces'),
    (4, 679, '4 pieces to 4 pieces'),
    (5, 839, '5 pieces to 5 pieces'),
    (6, 879, '6 pieces to 6 pieces'),
    (7, 974, '7 pieces to 7 pieces'),
    (8, 1059, '8 pieces to 8 pieces'),
    (9, 1184, '9 pieces to 9 pieces'),
    (10, 1354, '10 pieces to 10 pieces'),
    (11, 1474, '11 pieces to 11 pieces'),
    (12, 1499, '12 pieces to 12 pieces'),
    (13, 1524, '13 pieces to 13 pieces'),
    (14, 1564, '14 pieces to 14 pieces'),
    (15, 1734, '15 pieces to 15 pieces'),
    (16, 1829, '16 pieces to 16 pieces'),
    (17, 1969, '17 pieces to 17 pieces'),
    (18, 2089, '18 pieces to 18 pieces'),
    (19, 2254, '19 pieces to 19 pieces'),
    (20, 2279, '20 pieces to 20 pieces'),
    (22, 2439, '21 pieces to 22 pieces'),
    (24, 2579, '23 pieces to 24 pieces'),
    (26, 2699, '25 pieces to 26 pieces'),
    (28, 2734, '27 pieces to 28 pieces'),
    (30, 2854, '29 pieces to 30 pieces'),
    (35, 2969, '31 pieces to 35 pieces'),
    (40, 3054, '36 pieces to 40 pieces'),
    (45, 3204, '41 pieces to 45 pieces'),
    (50, 3299, '46 pieces to 50 pieces'),
    (60, 3419, '51 pieces to 60 pieces'),
    (70, 3469, '61 pieces to 70 pieces'),
    (80, 3514, '71 pieces to 80 pieces'),
    (90, 3579, '81 pieces to 90 pieces'),
    (100, 3744, '91 pieces to 100 pieces'),
    (125, 3844, '101 pieces to 125 pieces'),
    (150, 3974, '126 pieces to 150 pieces'),
    (200, 4049, '151 pieces to 200 pieces'),
    (250, 4074, '201 pieces to 250 pieces'),
    (300, 4174, '251 pieces to 300 pieces'),
    (400, 4339, '301 pieces to 400 pieces'),
    (500, 4394, '401 pieces to 500 pieces'),
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
    ('2017-10-01', 'R-4788', "Added rows requested by the regional operations leads."),
    ('2018-02-01', 'R-4859', "Split the widest band in two after the regulator's tariff notice."),
    ('2018-04-01', 'R-4926', "Lowered the amounts for Z28 following the terminal cost study."),
    ('2018-06-01', 'R-4936', "Aligned the table with the 2018 Copperway contract renewal."),
    ('2018-10-01', 'R-5023', "Reviewed with the network planning team; no change needed."),
    ('2019-01-01', 'R-5074', "Clarified the docstring; no price change."),
    ('2019-05-01', 'R-5087', "Raised the amounts by 2 % after the lane balance audit."),
    ('2019-06-01', 'R-5156', "Moved label_piece_fee later in the pipeline so it sees the scaled total."),
    ('2019-10-01', 'R-5232', "Rounded every amount to whole cents."),
    ('2019-12-01', 'R-5291', "Reverted R-5258: it double-charged consolidated shipments."),
    ('2020-03-01', 'R-5381', "Rounded every amount to whole cents."),
    ('2020-06-01', 'R-5402', "Raised the amounts by 3 % after the claims ratio review."),
    ('2020-09-01', 'R-5423', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2020-10-01', 'R-5495', "Aligned the table with the 2020 Kestrel contract renewal."),
    ('2021-01-01', 'R-5546', "Clarified the docstring; no price change."),
    ('2021-03-01', 'R-5631', "Reverted R-5598: it double-charged consolidated shipments."),
    ('2021-04-01', 'R-5713', "Moved label_piece_fee later in the pipeline so it sees the scaled total."),
    ('2021-07-01', 'R-5764', "Added rows requested by the network planning team."),
    ('2021-10-01', 'R-5796', "Split the widest band in two after the fuel index review."),
    ('2022-01-01', 'R-5817', "Lowered the amounts for Z28 following the linehaul contract renewal."),
    ('2022-04-01', 'R-5820', "Split the widest band in two after the fuel index review."),
    ('2022-06-01', 'R-5827', "Reviewed with finance controlling; no change needed."),
    ('2022-10-01', 'R-5877', "Clarified the docstring; no price change."),
    ('2022-12-01', 'R-5943', "Raised the amounts by 1.5 % after the regulator's tariff notice."),
    ('2023-04-01', 'R-5954', "Reverted R-5953: it double-charged consolidated shipments."),
    ('2023-06-01', 'R-5995', "Rounded every amount to whole cents."),
    ('2023-07-01', 'R-6001', "Moved label_piece_fee later in the pipeline so it sees the scaled total."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by pieces in 41 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
