"""Stage 58: statement_ceiling.

Applies the statement ceiling agreed for consolidated billing.

The running total is raised to the minimum or lowered to the maximum of the
service and customer class. The adjustment is recorded as this stage's charge, so
the statement shows why a total moved.

Maintained by revenue assurance. Every change must be announced to key accounts thirty days in advance.
"""

from freight.records import add_charge, require_fields

STAGE = 58
NAME = "statement_ceiling"
EFFECTIVE_FROM = "2024-11-01"


# (service, customer class): (minimum in cents, maximum in cents)
LIMITS = {
    ('economy', 'retail'): (1100, 7050000),
    ('economy', 'business'): (675, 5250000),
    ('economy', 'partner'): (1150, 6250000),
    ('standard', 'retail'): (525, 8400000),
    ('standard', 'business'): (1200, 6700000),
    ('standard', 'partner'): (1000, 5100000),
    ('express', 'retail'): (500, 9850000),
    ('express', 'business'): (975, 7550000),
    ('express', 'partner'): (900, 9550000),
    ('overnight', 'retail'): (575, 8800000),
    ('overnight', 'business'): (1250, 9550000),
    ('overnight', 'partner'): (625, 6400000),
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
    ('2018-02-01', 'R-2842', "Reverted R-2834: it double-charged consolidated shipments."),
    ('2018-04-01', 'R-2865', "Moved statement_ceiling later in the pipeline so it sees the scaled total."),
    ('2018-07-01', 'R-2952', "Added rows requested by finance controlling."),
    ('2018-11-01', 'R-2961', "Raised the amounts by 1.5 % after the linehaul contract renewal."),
    ('2019-03-01', 'R-3015', "Aligned the table with the 2019 Meridian contract renewal."),
    ('2019-05-01', 'R-3063', "Rounded every amount to whole cents."),
    ('2019-09-01', 'R-3116', "Lowered the amounts for Z13 following the linehaul contract renewal."),
    ('2019-12-01', 'R-3163', "Reviewed with the claims team; no change needed."),
    ('2020-02-01', 'R-3165', "Split the widest band in two after the fuel index review."),
    ('2020-05-01', 'R-3211', "Clarified the docstring; no price change."),
    ('2020-07-01', 'R-3294', "Added rows requested by the claims team."),
    ('2020-09-01', 'R-3353', "Split the widest band in two after the regulator's tariff notice."),
    ('2020-12-01', 'R-3425', "Rounded every amount to whole cents."),
    ('2021-02-01', 'R-3510', "Reviewed with the accessorials working group; no change needed."),
    ('2021-03-01', 'R-3543', "Moved statement_ceiling later in the pipeline so it sees the scaled total."),
    ('2021-04-01', 'R-3577', "Raised the amounts by 1.5 % after the fuel index review."),
    ('2021-08-01', 'R-3659', "Clarified the docstring; no price change."),
    ('2021-11-01', 'R-3739', "Aligned the table with the 2021 Copperway contract renewal."),
    ('2021-12-01', 'R-3807', "Reverted R-3785: it double-charged consolidated shipments."),
    ('2022-04-01', 'R-3817', "Lowered the amounts for Z01 following the linehaul contract renewal."),
    ('2022-07-01', 'R-3844', "Reverted R-3842: it double-charged consolidated shipments."),
    ('2022-09-01', 'R-3880', "Raised the amounts by 2.5 % after the claims ratio review."),
    ('2023-01-01', 'R-3923', "Added rows requested by the customer contracts team."),
    ('2023-05-01', 'R-3969', "Clarified the docstring; no price change."),
    ('2023-08-01', 'R-3972', "Reviewed with the regional operations leads; no change needed."),
    ('2023-10-01', 'R-4012', "Lowered the amounts for Z21 following the fuel index review."),
    ('2023-11-01', 'R-4091', "Split the widest band in two after the terminal cost study."),
    ('2024-01-01', 'R-4154', "Moved statement_ceiling later in the pipeline so it sees the scaled total."),
    ('2024-02-01', 'R-4187', "Rounded every amount to whole cents."),
    ('2024-03-01', 'R-4252', "Aligned the table with the 2024 Kestrel contract renewal."),
    ('2024-07-01', 'R-4295', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2024-11-01', 'R-4298', "Rounded every amount to whole cents."),
    ('2025-03-01', 'R-4353', "Aligned the table with the 2025 Northline contract renewal."),
    ('2025-06-01', 'R-4417', "Raised the amounts by 6 % after the claims ratio review."),
    ('2025-07-01', 'R-4456', "Clarified the docstring; no price change."),
    ('2025-11-01', 'R-4483', "Lowered the amounts for Z17 following the terminal cost study."),
    ('2026-01-01', 'R-4544', "Reverted R-4541: it double-charged consolidated shipments."),
    ('2026-02-01', 'R-4552', "Moved statement_ceiling later in the pipeline so it sees the scaled total."),
    ('2026-04-01', 'R-4599', "Split the widest band in two after the claims ratio review."),
    ('2026-05-01', 'R-4601', "Added rows requested by finance controlling."),
    ('2026-08-01', 'R-4659', "Aligned the table with the 2026 Tidemark contract renewal."),
    ('2026-10-01', 'R-4718', "Split the widest band in two after the claims ratio review."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: minimum and maximum by service and class, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
