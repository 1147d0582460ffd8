"""Stage 49: loyalty_rebate.

Grants the loyalty rebate for long-standing accounts.

The discount is in basis points of the running total (100 bp = 1 %), chosen by
customer class and by the monthly volume band (shipments per month, inclusive
upper limit). The discount is rounded down to whole cents, in the customer's favour
never more than the table says.

Maintained by the network planning team. Changes need a ticket and a second reviewer from finance.
"""

from freight.records import add_charge, require_fields

STAGE = 49
NAME = "loyalty_rebate"
EFFECTIVE_FROM = "2023-02-01"


# customer class: [(monthly volume up to, discount in basis points), ...]
DISCOUNTS = {
    "retail": [
        (5, 0), (10, 0), (25, 2), (50, 3), (100, 3),
        (200, 5), (350, 9), (500, 9), (750, 10), (1000, 16),
        (1500, 21), (2000, 26), (3000, 31), (5000, 35),
    ],
    "business": [
        (5, 8), (10, 15), (25, 38), (50, 45), (100, 50),
        (200, 59), (350, 65), (500, 73), (750, 86), (1000, 109),
        (1500, 132), (2000, 149), (3000, 149), (5000, 150),
    ],
    "partner": [
        (5, 1), (10, 6), (25, 17), (50, 42), (100, 52),
        (200, 67), (350, 78), (500, 95), (750, 115), (1000, 134),
        (1500, 153), (2000, 172), (3000, 179), (5000, 201),
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
    ('2017-05-01', 'R-4370', "Added rows requested by the customer contracts team."),
    ('2017-06-01', 'R-4428', "Moved loyalty_rebate later in the pipeline so it sees the scaled total."),
    ('2017-07-01', 'R-4480', "Raised the amounts by 6 % after the fuel index review."),
    ('2017-10-01', 'R-4501', "Split the widest band in two after the lane balance audit."),
    ('2017-12-01', 'R-4537', "Reviewed with finance controlling; no change needed."),
    ('2018-01-01', 'R-4610', "Reverted R-4590: it double-charged consolidated shipments."),
    ('2018-03-01', 'R-4636', "Aligned the table with the 2018 Ridgeport contract renewal."),
    ('2018-04-01', 'R-4660', "Clarified the docstring; no price change."),
    ('2018-07-01', 'R-4699', "Rounded every amount to whole cents."),
    ('2018-09-01', 'R-4754', "Lowered the amounts for Z07 following the peak season debrief."),
    ('2018-11-01', 'R-4815', "Lowered the amounts for Z05 following the annual price round."),
    ('2019-01-01', 'R-4858', "Rounded every amount to whole cents."),
    ('2019-05-01', 'R-4945', "Reviewed with the accessorials working group; no change needed."),
    ('2019-07-01', 'R-5032', "Reverted R-5024: it double-charged consolidated shipments."),
    ('2019-10-01', 'R-5041', "Moved loyalty_rebate later in the pipeline so it sees the scaled total."),
    ('2019-11-01', 'R-5074', "Clarified the docstring; no price change."),
    ('2020-02-01', 'R-5161', "Split the widest band in two after the claims ratio review."),
    ('2020-06-01', 'R-5241', "Aligned the table with the 2020 Tidemark contract renewal."),
    ('2020-08-01', 'R-5258', "Raised the amounts by 2.5 % after the lane balance audit."),
    ('2020-10-01', 'R-5279', "Added rows requested by the network planning team."),
    ('2021-01-01', 'R-5363', "Clarified the docstring; no price change."),
    ('2021-04-01', 'R-5426', "Reverted R-5407: it double-charged consolidated shipments."),
    ('2021-08-01', 'R-5459', "Reviewed with finance controlling; no change needed."),
    ('2021-10-01', 'R-5538', "Added rows requested by the regional operations leads."),
    ('2022-01-01', 'R-5619', "Raised the amounts by 6 % after the fuel index review."),
    ('2022-05-01', 'R-5659', "Split the widest band in two after the lane balance audit."),
    ('2022-09-01', 'R-5696', "Rounded every amount to whole cents."),
    ('2022-10-01', 'R-5760', "Moved loyalty_rebate later in the pipeline so it sees the scaled total."),
    ('2022-12-01', 'R-5823', "Lowered the amounts for Z06 following the claims ratio review."),
    ('2023-04-01', 'R-5899', "Aligned the table with the 2023 Copperway contract renewal."),
    ('2023-08-01', 'R-5934', "Split the widest band in two after the lane balance audit."),
    ('2023-10-01', 'R-6001', "Lowered the amounts for Z32 following the lane balance audit."),
    ('2023-12-01', 'R-6072', "Moved loyalty_rebate later in the pipeline so it sees the scaled total."),
    ('2024-04-01', 'R-6120', "Clarified the docstring; no price change."),
    ('2024-08-01', 'R-6136', "Aligned the table with the 2024 Tidemark contract renewal."),
    ('2024-12-01', 'R-6169', "Added rows requested by the network planning team."),
    ('2025-02-01', 'R-6204', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2025-03-01', 'R-6214', "Rounded every amount to whole cents."),
    ('2025-06-01', 'R-6292', "Raised the amounts by 2.5 % after the linehaul contract renewal."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: discount by customer class and monthly volume, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
