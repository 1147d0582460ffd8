"""Stage 17: piece_count_band.

Charges the per-shipment label and scan fee, banded by the number of pieces.

The fee is looked up in ``TIERS`` by ``pieces``, the number of pieces.
Tiers are inclusive of their upper limit: a shipment of exactly 14 pieces
pays the tier that ends at 14 pieces, not the next one. Values above the last
limit pay the last tier.

Maintained by the network planning team. The table mirrors the published rate sheet; keep both in sync.
"""

from freight.records import add_charge, require_fields

STAGE = 17
NAME = "piece_count_band"
EFFECTIVE_FROM = "2023-06-01"

FIELD = "pieces"
UNIT = "pieces"

# (upper limit in pieces, inclusive; fee in cents; label)
TIERS = [
    (1, 384, '0 pieces to 1 piece'),
    (2, 474, '2 pieces to 2 pieces'),
    (3, 614, '3 pieces to 3 pieces'),
    (4, 699, '4 pieces to 4 pieces'),
    (5, 744, '5 pieces to 5 pieces'),
    (6, 799, '6 pieces to 6 pieces'),
    (7, 844, '7 pieces to 7 pieces'),
    (8, 934, '8 pieces to 8 pieces'),
    (9, 1034, '9 pieces to 9 pieces'),
    (10, 1199, '10 pieces to 10 pieces'),
    (11, 1339, '11 pieces to 11 pieces'),
    (12, 1394, '12 pieces to 12 pieces'),
    (13, 1424, '13 pieces to 13 pieces'),
    (14, 1539, '14 pieces to 14 pieces'),
    (15, 1679, '15 pieces to 15 pieces'),
    (16, 1719, '16 pieces to 16 pieces'),
    (17, 1844, '17 pieces to 17 pieces'),
    (18, 1934, '18 pieces to 18 pieces'),
    (19, 1999, '19 pieces to 19 pieces'),
    (20, 2044, '20 pieces to 20 pieces'),
    (22, 2179, '21 pieces to 22 pieces'),
    (24, 2239, '23 pieces to 24 pieces'),
    (26, 2404, '25 pieces to 26 pieces'),
    (28, 2539, '27 pieces to 28 pieces'),
    (30, 2649, '29 pieces to 30 pieces'),
    (35, 2724, '31 pieces to 35 pieces'),
    (40, 2834, '36 pieces to 40 pieces'),
    (45, 2909, '41 pieces to 45 pieces'),
    (50, 2944, '46 pieces to 50 pieces'),
    (60, 2984, '51 pieces to 60 pieces'),
    (70, 3154, '61 pieces to 70 pieces'),
    (80, 3289, '71 pieces to 80 pieces'),
    (90, 3454, '81 pieces to 90 pieces'),
    (100, 3534, '91 pieces to 100 pieces'),
    (125, 3659, '101 pieces to 125 pieces'),
    (150, 3719, '126 pieces to 150 pieces'),
    (200, 3799, '151 pieces to 200 pieces'),
    (250, 3894, '201 pieces to 250 pieces'),
    (300, 4049, '251 pieces to 300 pieces'),
    (400, 4084, '301 pieces to 400 pieces'),
    (500, 4249, '401 pieces to 500 pieces'),
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
    ('2018-02-01', 'R-1549', "Moved piece_count_band later in the pipeline so it sees the scaled total."),
    ('2018-04-01', 'R-1606', "Added rows requested by the network planning team."),
    ('2018-05-01', 'R-1657', "Reviewed with the regional operations leads; no change needed."),
    ('2018-08-01', 'R-1671', "Clarified the docstring; no price change."),
    ('2018-09-01', 'R-1732', "Aligned the table with the 2018 Meridian contract renewal."),
    ('2019-01-01', 'R-1775', "Split the widest band in two after the linehaul contract renewal."),
    ('2019-02-01', 'R-1793', "Reverted R-1790: it double-charged consolidated shipments."),
    ('2019-05-01', 'R-1818', "Rounded every amount to whole cents."),
    ('2019-09-01', 'R-1841', "Lowered the amounts for Z04 following the linehaul contract renewal."),
    ('2020-01-01', 'R-1873', "Raised the amounts by 1.5 % after the fuel index review."),
    ('2020-05-01', 'R-1925', "Rounded every amount to whole cents."),
    ('2020-06-01', 'R-1971', "Clarified the docstring; no price change."),
    ('2020-08-01', 'R-2022', "Split the widest band in two after the lane balance audit."),
    ('2020-10-01', 'R-2088', "Reverted R-2048: it double-charged consolidated shipments."),
    ('2020-12-01', 'R-2138', "Aligned the table with the 2020 Tidemark contract renewal."),
    ('2021-04-01', 'R-2194', "Added rows requested by the claims team."),
    ('2021-05-01', 'R-2228', "Moved piece_count_band later in the pipeline so it sees the scaled total."),
    ('2021-06-01', 'R-2293', "Raised the amounts by 6 % after the regulator's tariff notice."),
    ('2021-07-01', 'R-2340', "Reviewed with finance controlling; no change needed."),
    ('2021-09-01', 'R-2378', "Lowered the amounts for Z19 following the fuel index review."),
    ('2021-11-01', 'R-2440', "Aligned the table with the 2021 Copperway contract renewal."),
    ('2022-03-01', 'R-2523', "Added rows requested by the accessorials working group."),
    ('2022-05-01', 'R-2527', "Split the widest band in two after the linehaul contract renewal."),
    ('2022-09-01', 'R-2551', "Lowered the amounts for Z30 following the linehaul contract renewal."),
    ('2023-01-01', 'R-2578', "Moved piece_count_band later in the pipeline so it sees the scaled total."),
    ('2023-04-01', 'R-2593', "Rounded every amount to whole cents."),
    ('2023-08-01', 'R-2630', "Clarified the docstring; no price change."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by pieces in 41 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
