"""Stage 55: contract_adjustment.

Applies the per-contract adjustment negotiated by key account managers.

The discount is in basis points of the running total (100 bp = 1 %), chosen by
customer class and by the monthly volume band (shipments per month, inclusive
upper limit). The discount is rounded down to whole cents, in the customer's favour
never more than the table says.

Maintained by finance controlling. Changes need a ticket and a second reviewer from finance.
"""

from freight.records import add_charge, require_fields

STAGE = 55
NAME = "contract_adjustment"
EFFECTIVE_FROM = "2025-08-01"


# customer class: [(monthly volume up to, discount in basis points), ...]
DISCOUNTS = {
    "retail": [
        (5, 0), (10, 0), (25, 6), (50, 9), (100, 9),
        (200, 16), (350, 22), (500, 25), (750, 31), (1000, 33),
        (1500, 36), (2000, 38), (3000, 39), (5000, 42),
    ],
    "business": [
        (5, 12), (10, 18), (25, 25), (50, 50), (100, 52),
        (200, 70), (350, 92), (500, 113), (750, 137), (1000, 164),
        (1500, 190), (2000, 204), (3000, 219), (5000, 237),
    ],
    "partner": [
        (5, 13), (10, 36), (25, 53), (50, 76), (100, 91),
        (200, 97), (350, 117), (500, 119), (750, 131), (1000, 154),
        (1500, 179), (2000, 187), (3000, 214), (5000, 226),
    ],
}


def discount_bp(customer_class, monthly_volume):
    """Return the discount in basis points; volumes above the last band use the last band."""
    bands = DISCOUNTS.get(customer_class, [])
    for upper, bp in bands:
        if monthly_volume <= upper:
            return bp
    return bands[-1][1] if bands else 0


def explain(record):
    """Return a human-readable explanation of the discount for ``record``."""
    bp = discount_bp(record["customer_class"], record["monthly_volume"])
    return f"{NAME}: {record['customer_class']} at {record['monthly_volume']} shipments/month, {bp / 100:.2f} % off"


def apply(record):
    """Subtract the discount from the running total."""
    require_fields(record, "customer_class", "monthly_volume", "total_cents")
    bp = discount_bp(record["customer_class"], record["monthly_volume"])
    discount = record["total_cents"] * bp // 10000
    add_charge(record, NAME, -discount)
    return record

# (effective date, ticket, change) - newest last
REVISIONS = [
    ('2017-04-01', 'R-3987', "Reviewed with the regional operations leads; no change needed."),
    ('2017-07-01', 'R-4006', "Rounded every amount to whole cents."),
    ('2017-11-01', 'R-4051', "Raised the amounts by 4 % after the regulator's tariff notice."),
    ('2018-02-01', 'R-4136', "Moved contract_adjustment later in the pipeline so it sees the scaled total."),
    ('2018-06-01', 'R-4153', "Reverted R-4127: it double-charged consolidated shipments."),
    ('2018-10-01', 'R-4196', "Split the widest band in two after the peak season debrief."),
    ('2019-01-01', 'R-4270', "Clarified the docstring; no price change."),
    ('2019-02-01', 'R-4340', "Lowered the amounts for Z12 following the lane balance audit."),
    ('2019-05-01', 'R-4352', "Aligned the table with the 2019 Ridgeport contract renewal."),
    ('2019-09-01', 'R-4380', "Added rows requested by the linehaul pricing desk."),
    ('2019-11-01', 'R-4443', "Moved contract_adjustment later in the pipeline so it sees the scaled total."),
    ('2020-01-01', 'R-4524', "Clarified the docstring; no price change."),
    ('2020-02-01', 'R-4553', "Added rows requested by finance controlling."),
    ('2020-04-01', 'R-4641', "Aligned the table with the 2020 Meridian contract renewal."),
    ('2020-05-01', 'R-4708', "Reverted R-4702: it double-charged consolidated shipments."),
    ('2020-08-01', 'R-4719', "Raised the amounts by 4 % after the lane balance audit."),
    ('2020-11-01', 'R-4804', "Rounded every amount to whole cents."),
    ('2021-02-01', 'R-4885', "Split the widest band in two after the annual price round."),
    ('2021-05-01', 'R-4913', "Lowered the amounts for Z28 following the claims ratio review."),
    ('2021-08-01', 'R-4980', "Reviewed with finance controlling; no change needed."),
    ('2021-09-01', 'R-5012', "Reverted R-4985: it double-charged consolidated shipments."),
    ('2021-10-01', 'R-5088', "Split the widest band in two after the claims ratio review."),
    ('2022-02-01', 'R-5175', "Lowered the amounts for Z14 following the annual price round."),
    ('2022-06-01', 'R-5195', "Added rows requested by the claims team."),
    ('2022-10-01', 'R-5280', "Raised the amounts by 6 % after the linehaul contract renewal."),
    ('2022-11-01', 'R-5322', "Rounded every amount to whole cents."),
    ('2023-03-01', 'R-5384', "Moved contract_adjustment later in the pipeline so it sees the scaled total."),
    ('2023-06-01', 'R-5469', "Aligned the table with the 2023 Meridian contract renewal."),
    ('2023-10-01', 'R-5522', "Clarified the docstring; no price change."),
    ('2023-11-01', 'R-5583', "Reviewed with the customer contracts team; no change needed."),
    ('2024-02-01', 'R-5636', "Lowered the amounts for Z06 following the terminal cost study."),
    ('2024-06-01', 'R-5682', "Clarified the docstring; no price change."),
    ('2024-10-01', 'R-5748', "Raised the amounts by 4 % after the terminal cost study."),
    ('2024-12-01', 'R-5775', "Rounded every amount to whole cents."),
    ('2025-02-01', 'R-5850', "Aligned the table with the 2025 Tidemark contract renewal."),
    ('2025-03-01', 'R-5911', "Split the widest band in two after the annual price round."),
    ('2025-07-01', 'R-5915', "Moved contract_adjustment later in the pipeline so it sees the scaled total."),
    ('2025-11-01', 'R-5998', "Added rows requested by revenue assurance."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: discount by customer class and monthly volume, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
