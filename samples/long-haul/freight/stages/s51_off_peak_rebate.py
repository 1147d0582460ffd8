"""Stage 51: off_peak_rebate.

Grants the off-peak rebate for flexible delivery windows.

The discount is in basis points of the running total (100 bp = 1 %), chosen by
customer class and by the monthly volume band (shipments per month, inclusive
upper limit). The discount is rounded down to whole cents, in the customer's favour
never more than the table says.

Maintained by the accessorials working group. Amounts are whole cents; keep the table sorted so that reviews stay readable.
"""

from freight.records import add_charge, require_fields

STAGE = 51
NAME = "off_peak_rebate"
EFFECTIVE_FROM = "2025-04-01"


# customer class: [(monthly volume up to, discount in basis points), ...]
DISCOUNTS = {
    "retail": [
        (5, 0), (10, 1), (25, 1), (50, 6), (100, 8),
        (200, 12), (350, 18), (500, 21), (750, 25), (1000, 27),
        (1500, 32), (2000, 39), (3000, 40), (5000, 47),
    ],
    "business": [
        (5, 34), (10, 55), (25, 79), (50, 89), (100, 115),
        (200, 116), (350, 122), (500, 133), (750, 146), (1000, 155),
        (1500, 173), (2000, 177), (3000, 177), (5000, 188),
    ],
    "partner": [
        (5, 37), (10, 43), (25, 72), (50, 95), (100, 114),
        (200, 142), (350, 162), (500, 173), (750, 177), (1000, 202),
        (1500, 216), (2000, 216), (3000, 228), (5000, 229),
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
    ('2017-09-01', 'R-3138', "Reviewed with the network planning team; no change needed."),
    ('2017-10-01', 'R-3178', "Rounded every amount to whole cents."),
    ('2017-12-01', 'R-3210', "Clarified the docstring; no price change."),
    ('2018-01-01', 'R-3290', "Moved off_peak_rebate later in the pipeline so it sees the scaled total."),
    ('2018-05-01', 'R-3303', "Added rows requested by the accessorials working group."),
    ('2018-08-01', 'R-3339', "Raised the amounts by 3 % after the claims ratio review."),
    ('2018-12-01', 'R-3383', "Split the widest band in two after the annual price round."),
    ('2019-02-01', 'R-3453', "Reverted R-3416: it double-charged consolidated shipments."),
    ('2019-03-01', 'R-3454', "Aligned the table with the 2019 Alderhaul contract renewal."),
    ('2019-07-01', 'R-3476', "Lowered the amounts for Z11 following the linehaul contract renewal."),
    ('2019-09-01', 'R-3530', "Lowered the amounts for Z15 following the regulator's tariff notice."),
    ('2019-12-01', 'R-3620', "Moved off_peak_rebate later in the pipeline so it sees the scaled total."),
    ('2020-01-01', 'R-3653', "Aligned the table with the 2020 Northline contract renewal."),
    ('2020-03-01', 'R-3718', "Clarified the docstring; no price change."),
    ('2020-07-01', 'R-3719', "Split the widest band in two after the terminal cost study."),
    ('2020-11-01', 'R-3800', "Reviewed with the customer contracts team; no change needed."),
    ('2021-01-01', 'R-3816', "Added rows requested by the claims team."),
    ('2021-02-01', 'R-3850', "Reverted R-3837: it double-charged consolidated shipments."),
    ('2021-03-01', 'R-3910', "Rounded every amount to whole cents."),
    ('2021-07-01', 'R-3985', "Raised the amounts by 6 % after the regulator's tariff notice."),
    ('2021-08-01', 'R-4068', "Added rows requested by finance controlling."),
    ('2021-09-01', 'R-4121', "Reverted R-4101: it double-charged consolidated shipments."),
    ('2021-12-01', 'R-4143', "Split the widest band in two after the annual price round."),
    ('2022-02-01', 'R-4187', "Reviewed with the claims team; no change needed."),
    ('2022-04-01', 'R-4193', "Lowered the amounts for Z18 following the annual price round."),
    ('2022-08-01', 'R-4248', "Aligned the table with the 2022 Kestrel contract renewal."),
    ('2022-09-01', 'R-4268', "Rounded every amount to whole cents."),
    ('2022-11-01', 'R-4325', "Clarified the docstring; no price change."),
    ('2023-01-01', 'R-4349', "Moved off_peak_rebate later in the pipeline so it sees the scaled total."),
    ('2023-04-01', 'R-4364', "Raised the amounts by 4 % after the lane balance audit."),
    ('2023-06-01', 'R-4443', "Lowered the amounts for Z03 following the peak season debrief."),
    ('2023-09-01', 'R-4512', "Aligned the table with the 2023 Kestrel contract renewal."),
    ('2023-11-01', 'R-4598', "Reviewed with the claims team; no change needed."),
    ('2024-01-01', 'R-4612', "Split the widest band in two after the annual price round."),
    ('2024-03-01', 'R-4665', "Clarified the docstring; no price change."),
    ('2024-07-01', 'R-4701', "Added rows requested by the regional operations leads."),
    ('2024-08-01', 'R-4757', "Moved off_peak_rebate later in the pipeline so it sees the scaled total."),
    ('2024-10-01', 'R-4846', "Raised the amounts by 2.5 % after the fuel index review."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: discount by customer class and monthly volume, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
