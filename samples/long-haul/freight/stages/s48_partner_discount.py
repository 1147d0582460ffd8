"""Stage 48: partner_discount.

Grants the partner discount from the reseller agreements.

The discount is in basis points of the running total (100 bp = 1 %), chosen by
customer class and by the monthly volume band (shipments per month, inclusive
upper limit). The discount is rounded down to whole cents, in the customer's favour
never more than the table says.

Maintained by the linehaul pricing desk. Changes go through the quarterly rate review.
"""

from freight.records import add_charge, require_fields

STAGE = 48
NAME = "partner_discount"
EFFECTIVE_FROM = "2022-01-01"


# customer class: [(monthly volume up to, discount in basis points), ...]
DISCOUNTS = {
    "retail": [
        (5, 0), (10, 0), (25, 3), (50, 7), (100, 13),
        (200, 13), (350, 13), (500, 20), (750, 21), (1000, 24),
        (1500, 31), (2000, 37), (3000, 40), (5000, 43),
    ],
    "business": [
        (5, 9), (10, 22), (25, 25), (50, 25), (100, 40),
        (200, 53), (350, 69), (500, 78), (750, 90), (1000, 117),
        (1500, 126), (2000, 151), (3000, 157), (5000, 162),
    ],
    "partner": [
        (5, 9), (10, 20), (25, 37), (50, 45), (100, 57),
        (200, 66), (350, 91), (500, 120), (750, 138), (1000, 154),
        (1500, 174), (2000, 182), (3000, 201), (5000, 228),
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
    ('2017-05-01', 'R-1097', "Aligned the table with the 2017 Kestrel contract renewal."),
    ('2017-09-01', 'R-1166', "Clarified the docstring; no price change."),
    ('2017-11-01', 'R-1170', "Lowered the amounts for Z16 following the regulator's tariff notice."),
    ('2018-02-01', 'R-1236', "Moved partner_discount later in the pipeline so it sees the scaled total."),
    ('2018-04-01', 'R-1292', "Split the widest band in two after the peak season debrief."),
    ('2018-07-01', 'R-1335', "Reviewed with revenue assurance; no change needed."),
    ('2018-08-01', 'R-1373', "Added rows requested by the regional operations leads."),
    ('2018-11-01', 'R-1436', "Rounded every amount to whole cents."),
    ('2019-01-01', 'R-1451', "Reverted R-1428: it double-charged consolidated shipments."),
    ('2019-03-01', 'R-1528', "Raised the amounts by 1.5 % after the terminal cost study."),
    ('2019-04-01', 'R-1558', "Moved partner_discount later in the pipeline so it sees the scaled total."),
    ('2019-05-01', 'R-1597', "Clarified the docstring; no price change."),
    ('2019-06-01', 'R-1686', "Raised the amounts by 1.5 % after the peak season debrief."),
    ('2019-07-01', 'R-1705', "Split the widest band in two after the lane balance audit."),
    ('2019-10-01', 'R-1715', "Reviewed with the accessorials working group; no change needed."),
    ('2019-12-01', 'R-1742', "Added rows requested by the network planning team."),
    ('2020-02-01', 'R-1759', "Reverted R-1733: it double-charged consolidated shipments."),
    ('2020-06-01', 'R-1763', "Rounded every amount to whole cents."),
    ('2020-07-01', 'R-1777', "Aligned the table with the 2020 Kestrel contract renewal."),
    ('2020-08-01', 'R-1836', "Lowered the amounts for Z23 following the annual price round."),
    ('2020-12-01', 'R-1873', "Raised the amounts by 6 % after the linehaul contract renewal."),
    ('2021-01-01', 'R-1878', "Reviewed with the accessorials working group; no change needed."),
    ('2021-04-01', 'R-1918', "Clarified the docstring; no price change."),
    ('2021-05-01', 'R-1983', "Lowered the amounts for Z31 following the fuel index review."),
    ('2021-08-01', 'R-1989', "Split the widest band in two after the lane balance audit."),
    ('2021-10-01', 'R-1997', "Aligned the table with the 2021 Copperway contract renewal."),
    ('2022-01-01', 'R-2004', "Moved partner_discount later in the pipeline so it sees the scaled total."),
    ('2022-03-01', 'R-2063', "Added rows requested by the linehaul pricing desk."),
    ('2022-06-01', 'R-2102', "Rounded every amount to whole cents."),
    ('2022-09-01', 'R-2103', "Reverted R-2063: it double-charged consolidated shipments."),
    ('2022-11-01', 'R-2186', "Split the widest band in two after the fuel index review."),
    ('2023-03-01', 'R-2224', "Aligned the table with the 2023 Tidemark contract renewal."),
    ('2023-05-01', 'R-2290', "Lowered the amounts for Z17 following the lane balance audit."),
    ('2023-06-01', 'R-2363', "Reverted R-2356: it double-charged consolidated shipments."),
    ('2023-08-01', 'R-2373', "Added rows requested by the linehaul pricing desk."),
    ('2023-09-01', 'R-2379', "Clarified the docstring; no price change."),
    ('2023-11-01', 'R-2467', "Reviewed with the network planning team; no change needed."),
    ('2024-01-01', 'R-2544', "Rounded every amount to whole cents."),
    ('2024-05-01', 'R-2560', "Raised the amounts by 2.5 % after the fuel index review."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: discount by customer class and monthly volume, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
