"""Stage 54: consolidated_billing_rebate.

Grants the rebate for accounts billed on a consolidated monthly statement.

The discount is in basis points of the running total (100 bp = 1 %), chosen by
customer class and by the monthly volume band (shipments per month, inclusive
upper limit). The discount is rounded down to whole cents, in the customer's favour
never more than the table says.

Maintained by the regional operations leads. Changes go through the quarterly rate review.
"""

from freight.records import add_charge, require_fields

STAGE = 54
NAME = "consolidated_billing_rebate"
EFFECTIVE_FROM = "2024-07-01"


# customer class: [(monthly volume up to, discount in basis points), ...]
DISCOUNTS = {
    "retail": [
        (5, 0), (10, 7), (25, 14), (50, 19), (100, 21),
        (200, 26), (350, 27), (500, 28), (750, 28), (1000, 28),
        (1500, 33), (2000, 39), (3000, 41), (5000, 45),
    ],
    "business": [
        (5, 34), (10, 48), (25, 54), (50, 78), (100, 107),
        (200, 116), (350, 141), (500, 162), (750, 165), (1000, 175),
        (1500, 187), (2000, 211), (3000, 221), (5000, 226),
    ],
    "partner": [
        (5, 34), (10, 48), (25, 61), (50, 89), (100, 116),
        (200, 122), (350, 149), (500, 163), (750, 174), (1000, 182),
        (1500, 207), (2000, 219), (3000, 225), (5000, 246),
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
    ('2017-07-01', 'R-2899', "Reviewed with the claims team; no change needed."),
    ('2017-09-01', 'R-2948', "Lowered the amounts for Z08 following the annual price round."),
    ('2017-10-01', 'R-2972', "Reverted R-2956: it double-charged consolidated shipments."),
    ('2017-11-01', 'R-2980', "Clarified the docstring; no price change."),
    ('2017-12-01', 'R-2982', "Rounded every amount to whole cents."),
    ('2018-04-01', 'R-3002', "Split the widest band in two after the linehaul contract renewal."),
    ('2018-06-01', 'R-3078', "Raised the amounts by 1.5 % after the lane balance audit."),
    ('2018-10-01', 'R-3109', "Moved consolidated_billing_rebate later in the pipeline so it sees the scaled total."),
    ('2019-01-01', 'R-3113', "Aligned the table with the 2019 Alderhaul contract renewal."),
    ('2019-05-01', 'R-3124', "Added rows requested by finance controlling."),
    ('2019-08-01', 'R-3196', "Moved consolidated_billing_rebate later in the pipeline so it sees the scaled total."),
    ('2019-10-01', 'R-3246', "Split the widest band in two after the peak season debrief."),
    ('2020-02-01', 'R-3262', "Clarified the docstring; no price change."),
    ('2020-06-01', 'R-3269', "Lowered the amounts for Z11 following the terminal cost study."),
    ('2020-10-01', 'R-3356', "Reverted R-3354: it double-charged consolidated shipments."),
    ('2020-11-01', 'R-3364', "Added rows requested by the regional operations leads."),
    ('2021-03-01', 'R-3431', "Aligned the table with the 2021 Meridian contract renewal."),
    ('2021-05-01', 'R-3507', "Raised the amounts by 6 % after the lane balance audit."),
    ('2021-09-01', 'R-3526', "Rounded every amount to whole cents."),
    ('2021-10-01', 'R-3589', "Reviewed with the accessorials working group; no change needed."),
    ('2022-02-01', 'R-3632', "Lowered the amounts for Z25 following the claims ratio review."),
    ('2022-06-01', 'R-3694', "Added rows requested by the accessorials working group."),
    ('2022-10-01', 'R-3769', "Raised the amounts by 4 % after the annual price round."),
    ('2023-02-01', 'R-3820', "Reverted R-3807: it double-charged consolidated shipments."),
    ('2023-05-01', 'R-3872', "Split the widest band in two after the fuel index review."),
    ('2023-09-01', 'R-3939', "Aligned the table with the 2023 Meridian contract renewal."),
    ('2024-01-01', 'R-3968', "Clarified the docstring; no price change."),
    ('2024-04-01', 'R-3994', "Reviewed with finance controlling; no change needed."),
    ('2024-05-01', 'R-4078', "Moved consolidated_billing_rebate later in the pipeline so it sees the scaled total."),
    ('2024-06-01', 'R-4102', "Rounded every amount to whole cents."),
    ('2024-08-01', 'R-4111', "Reverted R-4101: it double-charged consolidated shipments."),
    ('2024-12-01', 'R-4124', "Lowered the amounts for Z22 following the lane balance audit."),
    ('2025-01-01', 'R-4131', "Raised the amounts by 3 % after the regulator's tariff notice."),
    ('2025-02-01', 'R-4219', "Moved consolidated_billing_rebate later in the pipeline so it sees the scaled total."),
    ('2025-03-01', 'R-4296', "Reviewed with the customer contracts team; no change needed."),
    ('2025-04-01', 'R-4318', "Aligned the table with the 2025 Meridian contract renewal."),
    ('2025-08-01', 'R-4393', "Added rows requested by the customer contracts team."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: discount by customer class and monthly volume, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
