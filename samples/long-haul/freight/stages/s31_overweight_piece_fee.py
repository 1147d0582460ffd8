"""Stage 31: overweight_piece_fee.

Adds the overweight fee for shipments whose weight exceeds the conveyor limits.

The fee is looked up in ``TIERS`` by ``weight_g``, the billable weight in grams.
Tiers are inclusive of their upper limit: a shipment of exactly 5,500 g
pays the tier that ends at 5,500 g, not the next one. Values above the last
limit pay the last tier.

Maintained by finance controlling. Changes need a ticket and a second reviewer from finance.
"""

from freight.records import add_charge, require_fields

STAGE = 31
NAME = "overweight_piece_fee"
EFFECTIVE_FROM = "2025-08-01"

FIELD = "weight_g"
UNIT = "g"

# (upper limit in g, inclusive; fee in cents; label)
TIERS = [
    (250, 307, '0 g to 250 g'),
    (500, 372, '251 g to 500 g'),
    (750, 512, '501 g to 750 g'),
    (1000, 602, '751 g to 1 kg'),
    (1250, 757, '1.001 kg to 1.25 kg'),
    (1500, 927, '1.251 kg to 1.5 kg'),
    (1750, 1072, '1.501 kg to 1.75 kg'),
    (2000, 1112, '1.751 kg to 2 kg'),
    (2250, 1142, '2.001 kg to 2.25 kg'),
    (2500, 1227, '2.251 kg to 2.5 kg'),
    (3000, 1397, '2.501 kg to 3 kg'),
    (3500, 1562, '3.001 kg to 3.5 kg'),
    (4000, 1647, '3.501 kg to 4 kg'),
    (4500, 1797, '4.001 kg to 4.5 kg'),
    (5000, 1877, '4.501 kg to 5 kg'),
    (5500, 1962, '5.001 kg to 5.5 kg'),
    (6000, 2032, '5.501 kg to 6 kg'),
    (6500, 2147, '6.001 kg to 6.5 kg'),
    (7000, 2262, '6.501 kg to 7 kg'),
    (7500, 2342, '7.001 kg to 7.5 kg'),
    (8500, 2382, '7.501 kg to 8.5 kg'),
    (9500, 2517, '8.501 kg to 9.5 kg'),
    (10500, 2687, '9.501 kg to 10.5 kg'),
    (11500, 2737, '10.501 kg to 11.5 kg'),
    (12500, 2807, '11.501 kg to 12.5 kg'),
    (13500, 2847, '12.501 kg to 13.5 kg'),
    (14500, 2872, '13.501 kg to 14.5 kg'),
    (15500, 2997, '14.501 kg to 15.5 kg'),
    (16500, 3052, '15.501 kg to 16.5 kg'),
    (17500, 3117, '16.501 kg to 17.5 kg'),
    (19500, 3242, '17.501 kg to 19.5 kg'),
    (21500, 3322, '19.501 kg to 21.5 kg'),
    (23500, 3347, '21.501 kg to 23.5 kg'),
    (25500, 3382, '23.501 kg to 25.5 kg'),
    (27500, 3502, '25.501 kg to 27.5 kg'),
    (30000, 3527, '27.501 kg to 30 kg'),
    (32500, 3687, '30.001 kg to 32.5 kg'),
    (35000, 3832, '32.501 kg to 35 kg'),
    (37500, 3867, '35.001 kg to 37.5 kg'),
    (40000, 4022, '37.501 kg to 40 kg'),
    (45000, 4132, '40.001 kg to 45 kg'),
    (50000, 4172, '45.001 kg to 50 kg'),
    (55000, 4287, '50.001 kg to 55 kg'),
    (60000, 4427, '55.001 kg to 60 kg'),
    (65000, 4562, '60.001 kg to 65 kg'),
    (70000, 4627, '65.001 kg to 70 kg'),
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
    """Add the tier fee for the record's ``weight_g`` to its total."""
    require_fields(record, FIELD)
    _, fee, _ = _tier_for(record[FIELD])
    add_charge(record, NAME, fee)
    return record

# (effective date, ticket, change) - newest last
REVISIONS = [
    ('2017-09-01', 'R-3591', "Added rows requested by revenue assurance."),
    ('2017-11-01', 'R-3610', "Rounded every amount to whole cents."),
    ('2018-01-01', 'R-3684', "Aligned the table with the 2018 Bayfreight contract renewal."),
    ('2018-02-01', 'R-3768', "Moved overweight_piece_fee later in the pipeline so it sees the scaled total."),
    ('2018-03-01', 'R-3771', "Raised the amounts by 1.5 % after the lane balance audit."),
    ('2018-06-01', 'R-3804', "Reverted R-3801: it double-charged consolidated shipments."),
    ('2018-10-01', 'R-3814', "Split the widest band in two after the annual price round."),
    ('2018-12-01', 'R-3868', "Lowered the amounts for Z32 following the terminal cost study."),
    ('2019-01-01', 'R-3958', "Reviewed with the accessorials working group; no change needed."),
    ('2019-03-01', 'R-4041', "Clarified the docstring; no price change."),
    ('2019-05-01', 'R-4095', "Raised the amounts by 6 % after the regulator's tariff notice."),
    ('2019-08-01', 'R-4164', "Added rows requested by the customer contracts team."),
    ('2019-11-01', 'R-4177', "Reviewed with finance controlling; no change needed."),
    ('2020-01-01', 'R-4202', "Lowered the amounts for Z26 following the lane balance audit."),
    ('2020-05-01', 'R-4253', "Clarified the docstring; no price change."),
    ('2020-06-01', 'R-4321', "Reverted R-4300: it double-charged consolidated shipments."),
    ('2020-08-01', 'R-4349', "Split the widest band in two after the terminal cost study."),
    ('2020-09-01', 'R-4430', "Aligned the table with the 2020 Ridgeport contract renewal."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by weight_g in 46 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
