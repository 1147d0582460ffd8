"""Stage 56: service_minimum.

Applies the final minimum charge per service and customer class.

The running total is raised to the minimum or lowered to the maximum of the
service and customer class. The adjustment is recorded as this stage's charge, so
the statement shows why a total moved.

Maintained by the linehaul pricing desk. Do not edit the table during a billing run; the next run picks it up.
"""

from freight.records import add_charge, require_fields

STAGE = 56
NAME = "service_minimum"
EFFECTIVE_FROM = "2022-09-01"


# (service, customer class): (minimum in cents, maximum in cents)
LIMITS = {
    ('economy', 'retail'): (1075, 6350000),
    ('economy', 'business'): (1200, 8200000),
    ('economy', 'partner'): (1125, 7650000),
    ('standard', 'retail'): (325, 6700000),
    ('standard', 'business'): (775, 8550000),
    ('standard', 'partner'): (825, 9700000),
    ('express', 'retail'): (775, 8650000),
    ('express', 'business'): (450, 7750000),
    ('express', 'partner'): (800, 7400000),
    ('overnight', 'retail'): (1175, 9550000),
    ('overnight', 'business'): (1275, 9150000),
    ('overnight', 'partner'): (525, 6200000),
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
    ('2017-09-01', 'R-4700', "Rounded every amount to whole cents."),
    ('2017-11-01', 'R-4741', "Clarified the docstring; no price change."),
    ('2018-01-01', 'R-4810', "Added rows requested by the customer contracts team."),
    ('2018-03-01', 'R-4898', "Split the widest band in two after the peak season debrief."),
    ('2018-07-01', 'R-4928', "Reverted R-4903: it double-charged consolidated shipments."),
    ('2018-10-01', 'R-5013', "Reviewed with revenue assurance; no change needed."),
    ('2018-11-01', 'R-5056', "Moved service_minimum later in the pipeline so it sees the scaled total."),
    ('2019-01-01', 'R-5144', "Lowered the amounts for Z12 following the peak season debrief."),
    ('2019-04-01', 'R-5187', "Aligned the table with the 2019 Tidemark contract renewal."),
    ('2019-08-01', 'R-5257', "Raised the amounts by 2 % after the terminal cost study."),
    ('2019-10-01', 'R-5321', "Reviewed with finance controlling; no change needed."),
    ('2019-11-01', 'R-5341', "Rounded every amount to whole cents."),
    ('2019-12-01', 'R-5428', "Lowered the amounts for Z12 following the linehaul contract renewal."),
    ('2020-04-01', 'R-5474', "Added rows requested by the regional operations leads."),
    ('2020-06-01', 'R-5564', "Reverted R-5528: it double-charged consolidated shipments."),
    ('2020-10-01', 'R-5572', "Split the widest band in two after the claims ratio review."),
    ('2020-11-01', 'R-5652', "Moved service_minimum later in the pipeline so it sees the scaled total."),
    ('2021-03-01', 'R-5742', "Aligned the table with the 2021 Alderhaul contract renewal."),
    ('2021-07-01', 'R-5743', "Clarified the docstring; no price change."),
    ('2021-10-01', 'R-5747', "Raised the amounts by 3 % after the terminal cost study."),
    ('2022-01-01', 'R-5769', "Rounded every amount to whole cents."),
    ('2022-04-01', 'R-5784', "Added rows requested by the customer contracts team."),
    ('2022-07-01', 'R-5839', "Reviewed with the regional operations leads; no change needed."),
    ('2022-11-01', 'R-5887', "Lowered the amounts for Z15 following the peak season debrief."),
    ('2023-03-01', 'R-5930', "Reverted R-5910: it double-charged consolidated shipments."),
    ('2023-07-01', 'R-5955', "Raised the amounts by 6 % after the linehaul contract renewal."),
    ('2023-10-01', 'R-6027', "Moved service_minimum later in the pipeline so it sees the scaled total."),
    ('2024-01-01', 'R-6065', "Clarified the docstring; no price change."),
    ('2024-04-01', 'R-6118', "Split the widest band in two after the linehaul contract renewal."),
    ('2024-08-01', 'R-6130', "Aligned the table with the 2024 Copperway contract renewal."),
    ('2024-11-01', 'R-6203', "Rounded every amount to whole cents."),
    ('2024-12-01', 'R-6293', "Aligned the table with the 2024 Tidemark contract renewal."),
    ('2025-04-01', 'R-6306', "Split the widest band in two after the annual price round."),
    ('2025-08-01', 'R-6389', "Added rows requested by the linehaul pricing desk."),
    ('2025-11-01', 'R-6417', "Lowered the amounts for Z22 following the terminal cost study."),
    ('2026-03-01', 'R-6433', "Reviewed with the customer contracts team; no change needed."),
    ('2026-06-01', 'R-6491', "Clarified the docstring; no price change."),
    ('2026-08-01', 'R-6565', "Raised the amounts by 3 % after the peak season debrief."),
    ('2026-11-01', 'R-6638', "Reverted R-6615: it double-charged consolidated shipments."),
    ('2026-12-01', 'R-6664', "Moved service_minimum later in the pipeline so it sees the scaled total."),
    ('2027-02-01', 'R-6694', "Reverted R-6670: it double-charged consolidated shipments."),
    ('2027-04-01', 'R-6722', "Added rows requested by revenue assurance."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: minimum and maximum by service and class, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
