"""Stage 25: sortation_piece_fee.

Charges the sortation fee for the pieces that go through the hub sorters.

The fee is looked up in ``TIERS`` by ``pieces``, the number of pieces.
Tiers are inclusive of their upper limit: a shipment of exactly 14 pieces
pays the tier that ends at 14 pieces, not the next one. Values above the last
limit pay the last tier.

Maintained by the network planning team. Changes need a ticket and a second reviewer from finance.
"""

from freight.records import add_charge, require_fields

STAGE = 25
NAME = "sortation_piece_fee"
EFFECTIVE_FROM = "2023-02-01"

FIELD = "pieces"
UNIT = "pieces"

# (upper limit in pieces, inclusive; fee in cents; label)
TIERS = [
    (1, 48, '0 pieces to 1 piece'),
    (2, 158, '2 pieces to 2 pieces'),
    (3, 248, '3 pieces to 3 pieces'),
    (4, 378, '4 pieces to 4 pieces'),
    (5, 478, '5 pieces to 5 pieces'),
    (6, 648, '6 pieces to 6 pieces'),
    (7, 723, '7 pieces to 7 pieces'),
    (8, 758, '8 pieces to 8 pieces'),
    (9, 858, '9 pieces to 9 pieces'),
    (10, 983, '10 pieces to 10 pieces'),
    (11, 1028, '11 pieces to 11 pieces'),
    (12, 1063, '12 pieces to 12 pieces'),
    (13, 1193, '13 pieces to 13 pieces'),
    (14, 1218, '14 pieces to 14 pieces'),
    (15, 1378, '15 pieces to 15 pieces'),
    (16, 1453, '16 pieces to 16 pieces'),
    (17, 1503, '17 pieces to 17 pieces'),
    (18, 1538, '18 pieces to 18 pieces'),
    (19, 1693, '19 pieces to 19 pieces'),
    (20, 1723, '20 pieces to 20 pieces'),
    (22, 1763, '21 pieces to 22 pieces'),
    (24, 1913, '23 pieces to 24 pieces'),
    (26, 1943, '25 pieces to 26 pieces'),
    (28, 2043, '27 pieces to 28 pieces'),
    (30, 2118, '29 pieces to 30 pieces'),
    (35, 2168, '31 pieces to 35 pieces'),
    (40, 2248, '36 pieces to 40 pieces'),
    (45, 2358, '41 pieces to 45 pieces'),
    (50, 2468, '46 pieces to 50 pieces'),
    (60, 2628, '51 pieces to 60 pieces'),
    (70, 2713, '61 pieces to 70 pieces'),
    (80, 2768, '71 pieces to 80 pieces'),
    (90, 2913, '81 pieces to 90 pieces'),
    (100, 2943, '91 pieces to 100 pieces'),
    (125, 3108, '101 pieces to 125 pieces'),
    (150, 3243, '126 pieces to 150 pieces'),
    (200, 3363, '151 pieces to 200 pieces'),
    (250, 3508, '201 pieces to 250 pieces'),
    (300, 3543, '251 pieces to 300 pieces'),
    (400, 3703, '301 pieces to 400 pieces'),
    (500, 3788, '401 pieces to 500 pieces'),
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
    ('2017-12-01', 'R-2874', "Lowered the amounts for Z31 following the linehaul contract renewal."),
    ('2018-04-01', 'R-2888', "Moved sortation_piece_fee later in the pipeline so it sees the scaled total."),
    ('2018-08-01', 'R-2914', "Rounded every amount to whole cents."),
    ('2018-10-01', 'R-2994', "Clarified the docstring; no price change."),
    ('2019-02-01', 'R-3004', "Reviewed with finance controlling; no change needed."),
    ('2019-06-01', 'R-3044', "Added rows requested by the accessorials working group."),
    ('2019-08-01', 'R-3119', "Split the widest band in two after the regulator's tariff notice."),
    ('2019-09-01', 'R-3143', "Raised the amounts by 3 % after the fuel index review."),
    ('2019-11-01', 'R-3166', "Reverted R-3149: it double-charged consolidated shipments."),
    ('2020-03-01', 'R-3173', "Aligned the table with the 2020 Kestrel contract renewal."),
    ('2020-04-01', 'R-3231', "Clarified the docstring; no price change."),
    ('2020-05-01', 'R-3263', "Split the widest band in two after the annual price round."),
    ('2020-07-01', 'R-3342', "Rounded every amount to whole cents."),
    ('2020-10-01', 'R-3377', "Aligned the table with the 2020 Ridgeport contract renewal."),
    ('2021-01-01', 'R-3426', "Raised the amounts by 2 % after the annual price round."),
    ('2021-02-01', 'R-3474', "Added rows requested by the claims team."),
    ('2021-04-01', 'R-3524', "Reviewed with the accessorials working group; no change needed."),
    ('2021-06-01', 'R-3532', "Reverted R-3498: it double-charged consolidated shipments."),
    ('2021-09-01', 'R-3586', "Moved sortation_piece_fee later in the pipeline so it sees the scaled total."),
    ('2021-11-01', 'R-3631', "Lowered the amounts for Z22 following the regulator's tariff notice."),
    ('2021-12-01', 'R-3657', "Rounded every amount to whole cents."),
    ('2022-04-01', 'R-3705', "Reverted R-3702: it double-charged consolidated shipments."),
    ('2022-05-01', 'R-3730', "Raised the amounts by 3 % after the regulator's tariff notice."),
    ('2022-08-01', 'R-3783', "Added rows requested by the customer contracts team."),
    ('2022-11-01', 'R-3801', "Moved sortation_piece_fee later in the pipeline so it sees the scaled total."),
    ('2022-12-01', 'R-3802', "Split the widest band in two after the peak season debrief."),
    ('2023-03-01', 'R-3846', "Aligned the table with the 2023 Tidemark contract renewal."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by pieces in 41 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
