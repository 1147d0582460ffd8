"""Stage 46: zone_minimum_charge.

Applies the minimum and maximum charge per service and customer class before discounts.

The running total is raised to the minimum or lowered to the maximum of the
service and customer class. The adjustment is recorded as this stage's charge, so
the statement shows why a total moved.

Maintained by the regional operations leads. Every change must be announced to key accounts thirty days in advance.
"""

from freight.records import add_charge, require_fields

STAGE = 46
NAME = "zone_minimum_charge"
EFFECTIVE_FROM = "2024-11-01"


# (service, customer class): (minimum in cents, maximum in cents)
LIMITS = {
    ('economy', 'retail'): (850, 6300000),
    ('economy', 'business'): (825, 7600000),
    ('economy', 'partner'): (1075, 8350000),
    ('standard', 'retail'): (1025, 6450000),
    ('standard', 'business'): (850, 6000000),
    ('standard', 'partner'): (925, 8350000),
    ('express', 'retail'): (1100, 5800000),
    ('express', 'business'): (1225, 5750000),
    ('express', 'partner'): (900, 6700000),
    ('overnight', 'retail'): (1250, 6000000),
    ('overnight', 'business'): (1275, 6000000),
    ('overnight', 'partner'): (625, 6750000),
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
    ('2017-12-01', 'R-1892', "Aligned the table with the 2017 Bayfreight contract renewal."),
    ('2018-01-01', 'R-1927', "Split the widest band in two after the annual price round."),
    ('2018-04-01', 'R-1971', "Reviewed with revenue assurance; no change needed."),
    ('2018-06-01', 'R-2038', "Clarified the docstring; no price change."),
    ('2018-10-01', 'R-2067', "Lowered the amounts for Z11 following the claims ratio review."),
    ('2019-02-01', 'R-2134', "Reverted R-2117: it double-charged consolidated shipments."),
    ('2019-06-01', 'R-2197', "Moved zone_minimum_charge later in the pipeline so it sees the scaled total."),
    ('2019-10-01', 'R-2202', "Raised the amounts by 1.5 % after the fuel index review."),
    ('2020-01-01', 'R-2211', "Added rows requested by the linehaul pricing desk."),
    ('2020-05-01', 'R-2215', "Rounded every amount to whole cents."),
    ('2020-09-01', 'R-2253', "Clarified the docstring; no price change."),
    ('2020-10-01', 'R-2328', "Rounded every amount to whole cents."),
    ('2020-12-01', 'R-2358', "Reviewed with finance controlling; no change needed."),
    ('2021-04-01', 'R-2378', "Aligned the table with the 2021 Kestrel contract renewal."),
    ('2021-05-01', 'R-2402', "Reverted R-2382: it double-charged consolidated shipments."),
    ('2021-08-01', 'R-2470', "Raised the amounts by 2.5 % after the lane balance audit."),
    ('2021-11-01', 'R-2514', "Lowered the amounts for Z04 following the fuel index review."),
    ('2022-02-01', 'R-2582', "Moved zone_minimum_charge later in the pipeline so it sees the scaled total."),
    ('2022-06-01', 'R-2614', "Split the widest band in two after the annual price round."),
    ('2022-08-01', 'R-2680', "Added rows requested by the accessorials working group."),
    ('2022-12-01', 'R-2698', "Aligned the table with the 2022 Tidemark contract renewal."),
    ('2023-01-01', 'R-2709', "Reviewed with the regional operations leads; no change needed."),
    ('2023-02-01', 'R-2724', "Clarified the docstring; no price change."),
    ('2023-04-01', 'R-2793', "Reverted R-2769: it double-charged consolidated shipments."),
    ('2023-08-01', 'R-2822', "Added rows requested by the linehaul pricing desk."),
    ('2023-10-01', 'R-2827', "Moved zone_minimum_charge later in the pipeline so it sees the scaled total."),
    ('2024-01-01', 'R-2912', "Raised the amounts by 4 % after the terminal cost study."),
    ('2024-02-01', 'R-2998', "Lowered the amounts for Z12 following the regulator's tariff notice."),
    ('2024-05-01', 'R-3059', "Rounded every amount to whole cents."),
    ('2024-09-01', 'R-3072', "Split the widest band in two after the annual price round."),
    ('2024-12-01', 'R-3131', "Clarified the docstring; no price change."),
    ('2025-03-01', 'R-3166', "Moved zone_minimum_charge later in the pipeline so it sees the scaled total."),
    ('2025-06-01', 'R-3186', "Split the widest band in two after the claims ratio review."),
    ('2025-10-01', 'R-3208', "Reviewed with the customer contracts team; no change needed."),
    ('2025-12-01', 'R-3227', "Lowered the amounts for Z18 following the regulator's tariff notice."),
    ('2026-04-01', 'R-3249', "Raised the amounts by 3 % after the peak season debrief."),
    ('2026-06-01', 'R-3303', "Added rows requested by the customer contracts team."),
    ('2026-08-01', 'R-3311', "Rounded every amount to whole cents."),
    ('2026-10-01', 'R-3398', "Reverted R-3397: it double-charged consolidated shipments."),
    ('2027-01-01', 'R-3443', "Aligned the table with the 2027 Copperway contract renewal."),
    ('2027-05-01', 'R-3508', "Moved zone_minimum_charge later in the pipeline so it sees the scaled total."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: minimum and maximum by service and class, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
