"""Stage 15: heavy_parcel_band.

Adds the heavy parcel surcharge for shipments that need two-person handling or
equipment.

The fee is looked up in ``TIERS`` by ``weight_g``, the billable weight in grams.
Tiers are inclusive of their upper limit: a shipment of exactly 5,500 g
pays the tier that ends at 5,500 g, not the next one. Values above the last
limit pay the last tier.

Maintained by finance controlling. Amounts are whole cents; keep the table sorted so that reviews stay readable.
"""

from freight.records import add_charge, require_fields

STAGE = 15
NAME = "heavy_parcel_band"
EFFECTIVE_FROM = "2025-04-01"

FIELD = "weight_g"
UNIT = "g"

# (upper limit in g, inclusive; fee in cents; label)
TIERS = [
    (250, 209, '0 g to 250 g'),
    (500, 344, '251 g to 500 g'),
    (750, 474, '501 g to 750 g'),
    (1000, 604, '751 g to 1 kg'),
    (1250, 769, '1.001 kg to 1.25 kg'),
    (1500, 909, '1.251 kg to 1.5 kg'),
    (1750, 1029, '1.501 kg to 1.75 kg'),
    (2000, 1194, '1.751 kg to 2 kg'),
    (2250, 1304, '2.001 kg to 2.25 kg'),
    (2500, 1344, '2.251 kg to 2.5 kg'),
    (3000, 1494, '2.501 kg to 3 kg'),
    (3500, 1644, '3.001 kg to 3.5 kg'),
    (4000, 1754, '3.501 kg to 4 kg'),
    (4500, 1874, '4.001 kg to 4.5 kg'),
    (5000, 2014, '4.501 kg to 5 kg'),
    (5500, 2174, '5.001 kg to 5.5 kg'),
    (6000, 2314, '5.501 kg to 6 kg'),
    (6500, 2474, '6.001 kg to 6.5 kg'),
    (7000, 2499, '6.501 kg to 7 kg'),
    (7500, 2584, '7.001 kg to 7.5 kg'),
    (8500, 2669, '7.501 kg to 8.5 kg'),
    (9500, 2724, '8.501 kg to 9.5 kg'),
    (10500, 2894, '9.501 kg to 10.5 kg'),
    (11500, 3049, '10.501 kg to 11.5 kg'),
    (12500, 3184, '11.501 kg to 12.5 kg'),
    (13500, 3269, '12.501 kg to 13.5 kg'),
    (14500, 3329, '13.501 kg to 14.5 kg'),
    (15500, 3459, '14.501 kg to 15.5 kg'),
    (16500, 3619, '15.501 kg to 16.5 kg'),
    (17500, 3729, '16.501 kg to 17.5 kg'),
    (19500, 3769, '17.501 kg to 19.5 kg'),
    (21500, 3844, '19.501 kg to 21.5 kg'),
    (23500, 3924, '21.501 kg to 23.5 kg'),
    (25500, 4039, '23.501 kg to 25.5 kg'),
    (27500, 4184, '25.501 kg to 27.5 kg'),
    (30000, 4279, '27.501 kg to 30 kg'),
    (32500, 4404, '30.001 kg to 32.5 kg'),
    (35000, 4524, '32.501 kg to 35 kg'),
    (37500, 4574, '35.001 kg to 37.5 kg'),
    (40000, 4614, '37.501 kg to 40 kg'),
    (45000, 4754, '40.001 kg to 45 kg'),
    (50000, 4794, '45.001 kg to 50 kg'),
    (55000, 4934, '50.001 kg to 55 kg'),
    (60000, 4984, '55.001 kg to 60 kg'),
    (65000, 5064, '60.001 kg to 65 kg'),
    (70000, 5234, '65.001 kg to 70 kg'),
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
    ('2017-08-01', 'R-4313', "Aligned the table with the 2017 Bayfreight contract renewal."),
    ('2017-12-01', 'R-4379', "Reverted R-4377: it double-charged consolidated shipments."),
    ('2018-04-01', 'R-4387', "Split the widest band in two after the terminal cost study."),
    ('2018-07-01', 'R-4398', "Added rows requested by the linehaul pricing desk."),
    ('2018-10-01', 'R-4463', "Clarified the docstring; no price change."),
    ('2019-02-01', 'R-4534', "Reviewed with revenue assurance; no change needed."),
    ('2019-03-01', 'R-4544', "Raised the amounts by 6 % after the annual price round."),
    ('2019-07-01', 'R-4558', "Moved heavy_parcel_band later in the pipeline so it sees the scaled total."),
    ('2019-11-01', 'R-4600', "Lowered the amounts for Z14 following the lane balance audit."),
    ('2020-03-01', 'R-4665', "Rounded every amount to whole cents."),
    ('2020-06-01', 'R-4724', "Aligned the table with the 2020 Tidemark contract renewal."),
    ('2020-09-01', 'R-4740', "Reverted R-4708: it double-charged consolidated shipments."),
    ('2020-10-01', 'R-4752', "Split the widest band in two after the claims ratio review."),
    ('2021-01-01', 'R-4807', "Lowered the amounts for Z25 following the terminal cost study."),
    ('2021-03-01', 'R-4836', "Clarified the docstring; no price change."),
    ('2021-05-01', 'R-4864', "Rounded every amount to whole cents."),
    ('2021-09-01', 'R-4951', "Raised the amounts by 6 % after the regulator's tariff notice."),
    ('2021-10-01', 'R-4964', "Moved heavy_parcel_band later in the pipeline so it sees the scaled total."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: fee by weight_g in 46 tiers, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
