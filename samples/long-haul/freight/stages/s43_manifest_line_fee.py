"""Stage 43: manifest_line_fee.

Charges the manifest fee per band of lines on the carrier manifest.

The fee is looked up in ``TIERS`` by ``pieces``, the number of pieces.
Tiers are inclusive of their upper limit: a shipment of exactly 14 pieces
pays the tier that ends at 14 pieces, not the next one. Values above the last
limit pay the last tier.

Maintained by the accessorials working group. Changes need a ticket and a second reviewer from finance.
"""

from freight.records import add_charge, require_fields

STAGE = 43
NAME = "manifest_line_fee"
EFFECTIVE_FROM = "2025-08-01"

FIELD = "pieces"
UNIT = "pieces"

# (upper limit in pieces, inclusive; fee in cents; label)
TIERS = [
    (1, 72, '0 pieces to 1 piece'),
    (2, 127, '2 pieces to 2 pieces'),
    (3, 177, '3 pieces to 3 pieces'),
    (4, 287, '4 pieces to 4 pieces'),
    (5, 427, '5 pieces to 5 pieces'),
    (6, 462, '6 pieces to 6 pieces'),
    (7, 587, '7 pieces to 7 pieces'),
    (8, 672, '8 pieces to 8 pieces'),
    (9, 757, '9 pieces to 9 pieces'),
    (10, 872, '10 pieces to 10 pieces'),
    (11, 927, '11 pieces to 11 pieces'),
    (12, 1047, '12 pieces to 12 pieces'),
    (13, 1172, '13 pieces to 13 pieces'),
    (14, 1287, '14 pieces to 14 pieces'),
    (15, 1412, '15 pieces to 15 pieces'),
    (16, 1447, '16 pieces to 16 pieces'),
    (17, 1597, '17 pieces to 17 pieces'),
    (18, 1652, '18 pieces to 18 pieces'),
    (19, 1712, '19 pieces to 19 pieces'),
    (20, 1877, '20 pieces to 20 pieces'),
    (22, 1987, '21 pieces to 22 pieces'),
    (24, 2072, '23 pieces to 24 pieces'),
    (26, 2187, '25 pieces to 26 pieces'),
    (28, 2242, '27 pieces to 28 pieces'),
    (30, 2267, '29 pieces to 30 pieces'),
    (35, 2302, '31 pieces to 35 pieces'),
    (40, 2367, '36 pieces to 40 pieces'),
    (45, 2517, '41 pieces to 45 pieces'),
    (50, 2607, '46 pieces to 50 pieces'),
    (60, 2747, '51 pieces to 60 pieces'),
    (70, 2872, '61 pieces to 70 pieces'),
    (80, 3037, '71 pieces to 80 pieces'),
    (90, 3087, '81 pieces to 90 pieces'),
    (100, 3117, '91 pieces to 100 pieces'),
    (125, 3182, '101 pieces to 125 pieces'),
    (150, 3277, '126 pieces to 150 pieces'),
    (200, 3322, '151 pieces to 200 pieces'),
    (250, 3402, '201 pieces to 250 pieces'),
    (300, 3537, '251 pieces to 300 pieces'),
    (400, 3622, '301 pieces to 400 pieces'),
    (500, 3717, '401 pieces to 500 pieces'),
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
    ('2017-09-01', 'R-4874', "Clarified the docstring; no price change."),
    ('2017-11-01', 'R-4879', "Moved manifest_line_fee later in the pipeline so it sees the scaled total."),
    ('2018-03-01', 'R-4957', "Raised the amounts by 6 % after the regulator's tariff notice."),
    ('2018-06-01', 'R-5015', "Split the widest band in two after the fuel index review."),
    ('2018-10-01', 'R-5069', "Reverted R-5065: it double-charged consolidated shipments."),
    ('2019-02-01', 'R-5150', "Added rows requested by the customer contracts team."),
    ('2019-04-01', 'R-5212', "Aligned the table with the 2019 Kestrel contract renewal."),
    ('2019-08-01', 'R-5282', "Rounded every amount to whole cents."),
    ('2019-10-01', 'R-5310', "Lowered the amounts for Z15 following the claims ratio review."),
    ('2019-12-01', 'R-5340', "Reviewed with finance controlling; no change needed."),
    ('2020-04-01', 'R-5372', "Reviewed with revenue assurance; no change needed."),
    ('2020-07-01', 'R-5394', "Added rows requested by the claims team."),
    ('2020-11-01', 'R-5470', "Raised the amounts by 2 % after the annual price round."),
    ('2021-02-01', 'R-5473', "Rounded every amount to whole cents."),
    ('2021-06-01', 'R-5499', "Moved manifest_line_fee later in the pipeline so it sees the scaled total."),
    ('2021-07-01', 'R-5565', "Lowered the amounts for Z31 following the claims ratio review."),
    ('2021-08-01', 'R-5655', "Aligned the table with the 2021 Copperway contract renewal."),
    ('2021-09-01', 'R-5725', "Clarified the docstring; no price change."),
    ('2022-01-01', 'R-5780', "Reverted R-5740: it double-charged consolidated shipments."),
    ('2022-05-01', 'R-5858', "Split the widest band in two after the peak season debrief."),
    ('2022-07-01', 'R-5925', "Added rows requested by the network planning team."),
    ('2022-09-01', 'R-5971', "Rounded every amount to whole cents."),
    ('2022-10-01', 'R-5976', "Aligned the table with the 2022 Alderhaul contract renewal."),
    ('2022-12-01', 'R-6014', "Split the widest band in two after the claims ratio review."),
    ('2023-01-01', 'R-6086', "Reverted R-6066: it double-charged consolidated shipments."),
    ('2023-04-01', 'R-6167', "Reviewed with the network planning team; no change needed."),
    ('2023-07-01', 'R-6208', "Raised the amounts by 1.5 % after the regulator's tariff notice."),
    ('2023-11-01', 'R-6213', "Clarified the docstring; no price change."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by pieces in 41 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
