"""Stage 52: return_lane_discount.

Grants the discount on return lanes that fill empty backhaul capacity.

The discount is in basis points of the running total (100 bp = 1 %), chosen by
customer class and by the monthly volume band (shipments per month, inclusive
upper limit). The discount is rounded down to whole cents, in the customer's favour
never more than the table says.

Maintained by the claims team. Every change must be announced to key accounts thirty days in advance.
"""

from freight.records import add_charge, require_fields

STAGE = 52
NAME = "return_lane_discount"
EFFECTIVE_FROM = "2022-05-01"


# customer class: [(monthly volume up to, discount in basis points), ...]
DISCOUNTS = {
    "retail": [
        (5, 0), (10, 3), (25, 10), (50, 11), (100, 14),
        (200, 18), (350, 25), (500, 28), (750, 29), (1000, 33),
        (1500, 34), (2000, 36), (3000, 40), (5000, 44),
    ],
    "business": [
        (5, 8), (10, 37), (25, 49), (50, 73), (100, 80),
        (200, 98), (350, 119), (500, 122), (750, 140), (1000, 165),
        (1500, 193), (2000, 210), (3000, 217), (5000, 233),
    ],
    "partner": [
        (5, 8), (10, 10), (25, 29), (50, 53), (100, 77),
        (200, 78), (350, 87), (500, 112), (750, 114), (1000, 130),
        (1500, 143), (2000, 155), (3000, 155), (5000, 174),
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
    ('2017-06-01', 'R-2241', "Raised the amounts by 2.5 % after the regulator's tariff notice."),
    ('2017-10-01', 'R-2304', "Added rows requested by revenue assurance."),
    ('2017-12-01', 'R-2349', "Clarified the docstring; no price change."),
    ('2018-04-01', 'R-2427', "Aligned the table with the 2018 Bayfreight contract renewal."),
    ('2018-06-01', 'R-2490', "Split the widest band in two after the regulator's tariff notice."),
    ('2018-08-01', 'R-2525', "Rounded every amount to whole cents."),
    ('2018-09-01', 'R-2614', "Reverted R-2590: it double-charged consolidated shipments."),
    ('2018-12-01', 'R-2641', "Moved return_lane_discount later in the pipeline so it sees the scaled total."),
    ('2019-03-01', 'R-2726', "Reviewed with revenue assurance; no change needed."),
    ('2019-07-01', 'R-2777', "Lowered the amounts for Z13 following the peak season debrief."),
    ('2019-08-01', 'R-2800', "Lowered the amounts for Z19 following the fuel index review."),
    ('2019-10-01', 'R-2835', "Added rows requested by revenue assurance."),
    ('2019-12-01', 'R-2895', "Reverted R-2869: it double-charged consolidated shipments."),
    ('2020-03-01', 'R-2957', "Raised the amounts by 6 % after the terminal cost study."),
    ('2020-04-01', 'R-3039', "Split the widest band in two after the peak season debrief."),
    ('2020-07-01', 'R-3094', "Moved return_lane_discount later in the pipeline so it sees the scaled total."),
    ('2020-11-01', 'R-3111', "Reviewed with the accessorials working group; no change needed."),
    ('2021-02-01', 'R-3170', "Rounded every amount to whole cents."),
    ('2021-03-01', 'R-3176', "Aligned the table with the 2021 Copperway contract renewal."),
    ('2021-07-01', 'R-3207', "Clarified the docstring; no price change."),
    ('2021-10-01', 'R-3215', "Split the widest band in two after the regulator's tariff notice."),
    ('2022-01-01', 'R-3288', "Aligned the table with the 2022 Northline contract renewal."),
    ('2022-03-01', 'R-3354', "Moved return_lane_discount later in the pipeline so it sees the scaled total."),
    ('2022-05-01', 'R-3370', "Rounded every amount to whole cents."),
    ('2022-09-01', 'R-3421', "Added rows requested by the regional operations leads."),
    ('2022-12-01', 'R-3446', "Raised the amounts by 4 % after the lane balance audit."),
    ('2023-01-01', 'R-3452', "Lowered the amounts for Z06 following the fuel index review."),
    ('2023-03-01', 'R-3511', "Reverted R-3508: it double-charged consolidated shipments."),
    ('2023-04-01', 'R-3558', "Reviewed with revenue assurance; no change needed."),
    ('2023-06-01', 'R-3623', "Clarified the docstring; no price change."),
    ('2023-08-01', 'R-3689', "Reverted R-3675: it double-charged consolidated shipments."),
    ('2023-12-01', 'R-3770', "Lowered the amounts for Z17 following the peak season debrief."),
    ('2024-04-01', 'R-3797', "Clarified the docstring; no price change."),
    ('2024-08-01', 'R-3870', "Added rows requested by the network planning team."),
    ('2024-10-01', 'R-3883', "Reviewed with finance controlling; no change needed."),
    ('2024-11-01', 'R-3914', "Raised the amounts by 2 % after the claims ratio review."),
    ('2025-01-01', 'R-3988', "Moved return_lane_discount later in the pipeline so it sees the scaled total."),
    ('2025-04-01', 'R-4021', "Rounded every amount to whole cents."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: discount by customer class and monthly volume, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
