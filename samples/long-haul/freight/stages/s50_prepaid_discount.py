"""Stage 50: prepaid_discount.

Grants the discount for prepaid accounts.

The discount is in basis points of the running total (100 bp = 1 %), chosen by
customer class and by the monthly volume band (shipments per month, inclusive
upper limit). The discount is rounded down to whole cents, in the customer's favour
never more than the table says.

Maintained by revenue assurance. Do not edit the table during a billing run; the next run picks it up.
"""

from freight.records import add_charge, require_fields

STAGE = 50
NAME = "prepaid_discount"
EFFECTIVE_FROM = "2024-03-01"


# customer class: [(monthly volume up to, discount in basis points), ...]
DISCOUNTS = {
    "retail": [
        (5, 0), (10, 3), (25, 7), (50, 8), (100, 10),
        (200, 11), (350, 18), (500, 23), (750, 27), (1000, 34),
        (1500, 35), (2000, 35), (3000, 38), (5000, 45),
    ],
    "business": [
        (5, 14), (10, 21), (25, 48), (50, 69), (100, 87),
        (200, 97), (350, 102), (500, 126), (750, 133), (1000, 157),
        (1500, 185), (2000, 202), (3000, 230), (5000, 240),
    ],
    "partner": [
        (5, 37), (10, 44), (25, 55), (50, 56), (100, 65),
        (200, 72), (350, 100), (500, 128), (750, 130), (1000, 151),
        (1500, 164), (2000, 175), (3000, 189), (5000, 203),
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
    ('2017-04-01', 'R-2348', "Reviewed with the accessorials working group; no change needed."),
    ('2017-08-01', 'R-2374', "Raised the amounts by 2.5 % after the fuel index review."),
    ('2017-10-01', 'R-2399', "Lowered the amounts for Z01 following the annual price round."),
    ('2018-01-01', 'R-2471', "Clarified the docstring; no price change."),
    ('2018-04-01', 'R-2552', "Rounded every amount to whole cents."),
    ('2018-07-01', 'R-2592', "Split the widest band in two after the regulator's tariff notice."),
    ('2018-11-01', 'R-2611', "Aligned the table with the 2018 Ridgeport contract renewal."),
    ('2019-02-01', 'R-2616', "Added rows requested by the network planning team."),
    ('2019-04-01', 'R-2697', "Reverted R-2662: it double-charged consolidated shipments."),
    ('2019-08-01', 'R-2765', "Moved prepaid_discount later in the pipeline so it sees the scaled total."),
    ('2019-10-01', 'R-2780', "Rounded every amount to whole cents."),
    ('2020-01-01', 'R-2866', "Added rows requested by the network planning team."),
    ('2020-04-01', 'R-2935', "Lowered the amounts for Z17 following the annual price round."),
    ('2020-08-01', 'R-3023', "Raised the amounts by 1.5 % after the linehaul contract renewal."),
    ('2020-12-01', 'R-3082', "Split the widest band in two after the terminal cost study."),
    ('2021-03-01', 'R-3118', "Aligned the table with the 2021 Tidemark contract renewal."),
    ('2021-05-01', 'R-3187', "Clarified the docstring; no price change."),
    ('2021-09-01', 'R-3232', "Reviewed with the network planning team; no change needed."),
    ('2021-12-01', 'R-3317', "Moved prepaid_discount later in the pipeline so it sees the scaled total."),
    ('2022-03-01', 'R-3387', "Reverted R-3361: it double-charged consolidated shipments."),
    ('2022-05-01', 'R-3471', "Reverted R-3437: it double-charged consolidated shipments."),
    ('2022-06-01', 'R-3537', "Rounded every amount to whole cents."),
    ('2022-10-01', 'R-3605', "Reviewed with the accessorials working group; no change needed."),
    ('2023-01-01', 'R-3615', "Clarified the docstring; no price change."),
    ('2023-05-01', 'R-3660', "Moved prepaid_discount later in the pipeline so it sees the scaled total."),
    ('2023-08-01', 'R-3663', "Lowered the amounts for Z07 following the lane balance audit."),
    ('2023-11-01', 'R-3669', "Added rows requested by the linehaul pricing desk."),
    ('2024-01-01', 'R-3686', "Split the widest band in two after the peak season debrief."),
    ('2024-03-01', 'R-3764', "Aligned the table with the 2024 Tidemark contract renewal."),
    ('2024-06-01', 'R-3822', "Raised the amounts by 4 % after the regulator's tariff notice."),
    ('2024-08-01', 'R-3904', "Clarified the docstring; no price change."),
    ('2024-09-01', 'R-3989', "Split the widest band in two after the claims ratio review."),
    ('2024-12-01', 'R-4052', "Lowered the amounts for Z05 following the fuel index review."),
    ('2025-01-01', 'R-4138', "Reviewed with the regional operations leads; no change needed."),
    ('2025-03-01', 'R-4160', "Moved prepaid_discount later in the pipeline so it sees the scaled total."),
    ('2025-05-01', 'R-4180', "Reverted R-4157: it double-charged consolidated shipments."),
    ('2025-08-01', 'R-4246', "Aligned the table with the 2025 Kestrel contract renewal."),
    ('2025-12-01', 'R-4252', "Raised the amounts by 2.5 % after the regulator's tariff notice."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: discount by customer class and monthly volume, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
