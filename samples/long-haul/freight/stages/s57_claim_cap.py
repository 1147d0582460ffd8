"""Stage 57: claim_cap.

Caps the charge so that it never exceeds the contractual ceiling per service and class.

The running total is raised to the minimum or lowered to the maximum of the
service and customer class. The adjustment is recorded as this stage's charge, so
the statement shows why a total moved.

Maintained by the network planning team. Amounts are whole cents; keep the table sorted so that reviews stay readable.
"""

from freight.records import add_charge, require_fields

STAGE = 57
NAME = "claim_cap"
EFFECTIVE_FROM = "2023-10-01"


# (service, customer class): (minimum in cents, maximum in cents)
LIMITS = {
    ('economy', 'retail'): (875, 8100000),
    ('economy', 'business'): (650, 7400000),
    ('economy', 'partner'): (575, 5800000),
    ('standard', 'retail'): (550, 9350000),
    ('standard', 'business'): (750, 7350000),
    ('standard', 'partner'): (625, 9900000),
    ('express', 'retail'): (1200, 9350000),
    ('express', 'business'): (650, 6350000),
    ('express', 'partner'): (975, 5050000),
    ('overnight', 'retail'): (975, 5800000),
    ('overnight', 'business'): (700, 5750000),
    ('overnight', 'partner'): (825, 5950000),
}


def limits_for(service, customer_class):
    """Return (minimum, maximum) in cents; unknown combinations are not limited."""
    return LIMITS.get((service, customer_class), (0, None))


def explain(record):
    """Return a human-readable explanation of the limits for ``record``."""
    low, high = limits_for(record["service"], record["customer_class"])
    return f"{NAME}: {record['service']}/{record['customer_class']} between {low} and {high} cents"


def apply(record):
    """Clamp the running total to the limits of the service and customer class."""
    require_fields(record, "service", "customer_class", "total_cents")
    low, high = limits_for(record["service"], record["customer_class"])
    before = record["total_cents"]
    after = max(before, low)
    if high is not None:
        after = min(after, high)
    add_charge(record, NAME, after - before)
    return record

# (effective date, ticket, change) - newest last
REVISIONS = [
    ('2017-12-01', 'R-1703', "Added rows requested by the customer contracts team."),
    ('2018-04-01', 'R-1712', "Rounded every amount to whole cents."),
    ('2018-06-01', 'R-1730', "Moved claim_cap later in the pipeline so it sees the scaled total."),
    ('2018-09-01', 'R-1760', "Lowered the amounts for Z24 following the fuel index review."),
    ('2018-11-01', 'R-1810', "Reverted R-1787: it double-charged consolidated shipments."),
    ('2019-01-01', 'R-1891', "Aligned the table with the 2019 Northline contract renewal."),
    ('2019-02-01', 'R-1923', "Reviewed with the claims team; no change needed."),
    ('2019-03-01', 'R-1998', "Raised the amounts by 2 % after the fuel index review."),
    ('2019-05-01', 'R-2069', "Split the widest band in two after the peak season debrief."),
    ('2019-07-01', 'R-2119', "Clarified the docstring; no price change."),
    ('2019-11-01', 'R-2166', "Added rows requested by the linehaul pricing desk."),
    ('2020-03-01', 'R-2209', "Split the widest band in two after the regulator's tariff notice."),
    ('2020-07-01', 'R-2257', "Clarified the docstring; no price change."),
    ('2020-10-01', 'R-2276', "Reverted R-2236: it double-charged consolidated shipments."),
    ('2020-12-01', 'R-2351', "Reviewed with the claims team; no change needed."),
    ('2021-03-01', 'R-2363', "Moved claim_cap later in the pipeline so it sees the scaled total."),
    ('2021-06-01', 'R-2435', "Raised the amounts by 2 % after the linehaul contract renewal."),
    ('2021-09-01', 'R-2502', "Lowered the amounts for Z04 following the claims ratio review."),
    ('2021-10-01', 'R-2542', "Rounded every amount to whole cents."),
    ('2022-02-01', 'R-2562', "Aligned the table with the 2022 Bayfreight contract renewal."),
    ('2022-06-01', 'R-2613', "Raised the amounts by 1.5 % after the linehaul contract renewal."),
    ('2022-10-01', 'R-2659', "Aligned the table with the 2022 Ridgeport contract renewal."),
    ('2023-02-01', 'R-2731', "Clarified the docstring; no price change."),
    ('2023-03-01', 'R-2815', "Reverted R-2792: it double-charged consolidated shipments."),
    ('2023-06-01', 'R-2865', "Split the widest band in two after the regulator's tariff notice."),
    ('2023-10-01', 'R-2875', "Moved claim_cap later in the pipeline so it sees the scaled total."),
    ('2024-01-01', 'R-2902', "Added rows requested by the regional operations leads."),
    ('2024-02-01', 'R-2915', "Rounded every amount to whole cents."),
    ('2024-03-01', 'R-2931', "Reviewed with the claims team; no change needed."),
    ('2024-07-01', 'R-2971', "Lowered the amounts for Z31 following the linehaul contract renewal."),
    ('2024-08-01', 'R-3058', "Clarified the docstring; no price change."),
    ('2024-11-01', 'R-3102', "Reviewed with the accessorials working group; no change needed."),
    ('2025-02-01', 'R-3173', "Split the widest band in two after the fuel index review."),
    ('2025-03-01', 'R-3195', "Added rows requested by the claims team."),
    ('2025-06-01', 'R-3242', "Reverted R-3210: it double-charged consolidated shipments."),
    ('2025-07-01', 'R-3280', "Aligned the table with the 2025 Alderhaul contract renewal."),
    ('2025-08-01', 'R-3320', "Lowered the amounts for Z14 following the regulator's tariff notice."),
    ('2025-09-01', 'R-3330', "Moved claim_cap later in the pipeline so it sees the scaled total."),
    ('2026-01-01', 'R-3352', "Rounded every amount to whole cents."),
    ('2026-02-01', 'R-3440', "Raised the amounts by 3 % after the fuel index review."),
    ('2026-05-01', 'R-3474', "Reviewed with the network planning team; no change needed."),
    ('2026-07-01', 'R-3558', "Clarified the docstring; no price change."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: minimum and maximum by service and class, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
