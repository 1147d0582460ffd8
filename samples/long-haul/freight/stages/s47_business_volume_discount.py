"""Stage 47: business_volume_discount.

Grants the volume discount agreed with business customers.

The discount is in basis points of the running total (100 bp = 1 %), chosen by
customer class and by the monthly volume band (shipments per month, inclusive
upper limit). The discount is rounded down to whole cents, in the customer's favour
never more than the table says.

Maintained by finance controlling. The table mirrors the published rate sheet; keep both in sync.
"""

from freight.records import add_charge, require_fields

STAGE = 47
NAME = "business_volume_discount"
EFFECTIVE_FROM = "2025-12-01"


# customer class: [(monthly volume up to, discount in basis points), ...]
DISCOUNTS = {
    "retail": [
        (5, 0), (10, 7), (25, 8), (50, 8), (100, 11),
        (200, 15), (350, 22), (500, 23), (750, 29), (1000, 33),
        (1500, 33), (2000, 35), (3000, 40), (5000, 40),
    ],
    "business": [
        (5, 21), (10, 24), (25, 49), (50, 56), (100, 60),
        (200, 70), (350, 89), (500, 112), (750, 127), (1000, 131),
        (1500, 158), (2000, 182), (3000, 194), (5000, 199),
    ],
    "partner": [
        (5, 32), (10, 40), (25, 49), (50, 68), (100, 81),
        (200, 103), (350, 103), (500, 104), (750, 124), (1000, 152),
        (1500, 170), (2000, 186), (3000, 197), (5000, 198),
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
    ('2017-07-01', 'R-2908', "Moved business_volume_discount later in the pipeline so it sees the scaled total."),
    ('2017-09-01', 'R-2994', "Rounded every amount to whole cents."),
    ('2017-10-01', 'R-3024', "Clarified the docstring; no price change."),
    ('2017-12-01', 'R-3080', "Added rows requested by the network planning team."),
    ('2018-01-01', 'R-3119', "Reverted R-3093: it double-charged consolidated shipments."),
    ('2018-05-01', 'R-3121', "Split the widest band in two after the annual price round."),
    ('2018-07-01', 'R-3193', "Raised the amounts by 2 % after the regulator's tariff notice."),
    ('2018-10-01', 'R-3276', "Reviewed with the network planning team; no change needed."),
    ('2018-11-01', 'R-3359', "Aligned the table with the 2018 Ridgeport contract renewal."),
    ('2018-12-01', 'R-3377', "Lowered the amounts for Z13 following the terminal cost study."),
    ('2019-04-01', 'R-3411', "Reviewed with the customer contracts team; no change needed."),
    ('2019-07-01', 'R-3480', "Aligned the table with the 2019 Copperway contract renewal."),
    ('2019-11-01', 'R-3527', "Rounded every amount to whole cents."),
    ('2020-01-01', 'R-3572', "Clarified the docstring; no price change."),
    ('2020-05-01', 'R-3645', "Added rows requested by the linehaul pricing desk."),
    ('2020-06-01', 'R-3650', "Moved business_volume_discount later in the pipeline so it sees the scaled total."),
    ('2020-07-01', 'R-3712', "Lowered the amounts for Z25 following the regulator's tariff notice."),
    ('2020-09-01', 'R-3770', "Split the widest band in two after the peak season debrief."),
    ('2020-11-01', 'R-3781', "Reverted R-3756: it double-charged consolidated shipments."),
    ('2021-03-01', 'R-3817', "Raised the amounts by 1.5 % after the lane balance audit."),
    ('2021-07-01', 'R-3825', "Added rows requested by the regional operations leads."),
    ('2021-08-01', 'R-3903', "Raised the amounts by 2.5 % after the peak season debrief."),
    ('2021-12-01', 'R-3972', "Clarified the docstring; no price change."),
    ('2022-02-01', 'R-4036', "Split the widest band in two after the fuel index review."),
    ('2022-05-01', 'R-4115', "Reviewed with the customer contracts team; no change needed."),
    ('2022-08-01', 'R-4127', "Rounded every amount to whole cents."),
    ('2022-09-01', 'R-4137', "Aligned the table with the 2022 Bayfreight contract renewal."),
    ('2022-10-01', 'R-4143', "Lowered the amounts for Z15 following the peak season debrief."),
    ('2023-01-01', 'R-4150', "Moved business_volume_discount later in the pipeline so it sees the scaled total."),
    ('2023-02-01', 'R-4185', "Reverted R-4152: it double-charged consolidated shipments."),
    ('2023-04-01', 'R-4190', "Lowered the amounts for Z20 following the fuel index review."),
    ('2023-08-01', 'R-4255', "Reviewed with the accessorials working group; no change needed."),
    ('2023-09-01', 'R-4299', "Reverted R-4286: it double-charged consolidated shipments."),
    ('2024-01-01', 'R-4334', "Aligned the table with the 2024 Kestrel contract renewal."),
    ('2024-04-01', 'R-4352', "Raised the amounts by 1.5 % after the lane balance audit."),
    ('2024-06-01', 'R-4382', "Added rows requested by the accessorials working group."),
    ('2024-10-01', 'R-4410', "Split the widest band in two after the linehaul contract renewal."),
    ('2025-02-01', 'R-4492', "Moved business_volume_discount later in the pipeline so it sees the scaled total."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: discount by customer class and monthly volume, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
