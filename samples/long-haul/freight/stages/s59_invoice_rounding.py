"""Stage 59: invoice_rounding.

Rounds the total to the invoice increment of the service.

Totals are rounded half up to a multiple of the service's increment, in cents.
``EXAMPLES`` lists worked cases from the rate sheet; the test suite and the
billing reconciliation both rely on them.

Maintained by the accessorials working group. The table mirrors the published rate sheet; keep both in sync.
"""

from freight.records import add_charge, require_fields

STAGE = 59
NAME = "invoice_rounding"
EFFECTIVE_FROM = "2025-12-01"


# rounding increment in cents by service
INCREMENTS = {
    'economy': 5,
    'standard': 5,
    'express': 5,
    'overnight': 1,
}

# (service, total before, total after) worked examples from the rate sheet
EXAMPLES = [
    ('economy', 67729, 67730),
    ('standard', 30118, 30120),
    ('express', 50399, 50400),
    ('overnight', 74246, 74246),
    ('economy', 65744, 65745),
    ('standard', 10207, 10205),
    ('express', 40314, 40315),
    ('overnight', 69106, 69106),
    ('economy', 1645, 1645),
    ('standard', 6203, 6205),
    ('express', 10928, 10930),
    ('overnight', 19675, 19675),
    ('economy', 69730, 69730),
    ('standard', 53358, 53360),
    ('express', 5355, 5355),
    ('overnight', 54967, 54967),
    ('economy', 77664, 77665),
    ('standard', 63551, 63550),
    ('express', 64977, 64975),
    ('overnight', 72168, 72168),
    ('economy', 64417, 64415),
    ('standard', 45367, 45365),
    ('express', 46064, 46065),
    ('overnight', 6645, 6645),
]


def round_total(total, service):
    """Round ``total`` half up to the increment of ``service``."""
    increment = INCREMENTS.get(service, 1)
    return (total + increment // 2) // increment * increment


def explain(record):
    """Return a human-readable explanation of the rounding for ``record``."""
    increment = INCREMENTS.get(record["service"], 1)
    return f"{NAME}: {record['service']} rounds to {increment} cents"


def apply(record):
    """Round the running total to the service's increment."""
    require_fields(record, "service", "total_cents")
    before = record["total_cents"]
    add_charge(record, NAME, round_total(before, record["service"]) - before)
    return record

# (effective date, ticket, change) - newest last
REVISIONS = [
    ('2017-11-01', 'R-2082', "Moved invoice_rounding later in the pipeline so it sees the scaled total."),
    ('2018-03-01', 'R-2090', "Clarified the docstring; no price change."),
    ('2018-06-01', 'R-2098', "Raised the amounts by 2.5 % after the terminal cost study."),
    ('2018-10-01', 'R-2181', "Rounded every amount to whole cents."),
    ('2018-12-01', 'R-2191', "Reverted R-2178: it double-charged consolidated shipments."),
    ('2019-02-01', 'R-2251', "Added rows requested by the network planning team."),
    ('2019-06-01', 'R-2286', "Split the widest band in two after the claims ratio review."),
    ('2019-07-01', 'R-2353', "Lowered the amounts for Z06 following the peak season debrief."),
    ('2019-10-01', 'R-2441', "Aligned the table with the 2019 Tidemark contract renewal."),
    ('2020-02-01', 'R-2522', "Reviewed with the accessorials working group; no change needed."),
    ('2020-05-01', 'R-2564', "Reverted R-2537: it double-charged consolidated shipments."),
    ('2020-08-01', 'R-2568', "Clarified the docstring; no price change."),
    ('2020-10-01', 'R-2569', "Added rows requested by the linehaul pricing desk."),
    ('2020-12-01', 'R-2591', "Lowered the amounts for Z03 following the annual price round."),
    ('2021-01-01', 'R-2601', "Rounded every amount to whole cents."),
    ('2021-02-01', 'R-2690', "Moved invoice_rounding later in the pipeline so it sees the scaled total."),
    ('2021-03-01', 'R-2753', "Aligned the table with the 2021 Kestrel contract renewal."),
    ('2021-07-01', 'R-2791', "Raised the amounts by 1.5 % after the peak season debrief."),
    ('2021-08-01', 'R-2797', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2021-11-01', 'R-2842', "Split the widest band in two after the linehaul contract renewal."),
    ('2021-12-01', 'R-2885', "Moved invoice_rounding later in the pipeline so it sees the scaled total."),
    ('2022-02-01', 'R-2888', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2022-03-01', 'R-2959', "Reverted R-2957: it double-charged consolidated shipments."),
    ('2022-05-01', 'R-3003', "Raised the amounts by 6 % after the lane balance audit."),
    ('2022-07-01', 'R-3055', "Rounded every amount to whole cents."),
    ('2022-11-01', 'R-3078', "Clarified the docstring; no price change."),
    ('2023-01-01', 'R-3158', "Added rows requested by the regional operations leads."),
    ('2023-03-01', 'R-3247', "Lowered the amounts for Z08 following the terminal cost study."),
    ('2023-07-01', 'R-3313', "Split the widest band in two after the linehaul contract renewal."),
    ('2023-10-01', 'R-3335', "Aligned the table with the 2023 Bayfreight contract renewal."),
    ('2023-12-01', 'R-3407', "Aligned the table with the 2023 Copperway contract renewal."),
    ('2024-02-01', 'R-3485', "Raised the amounts by 2.5 % after the claims ratio review."),
    ('2024-05-01', 'R-3521', "Added rows requested by the network planning team."),
    ('2024-06-01', 'R-3556', "Lowered the amounts for Z03 following the lane balance audit."),
    ('2024-07-01', 'R-3585', "Moved invoice_rounding later in the pipeline so it sees the scaled total."),
    ('2024-08-01', 'R-3644', "Reverted R-3629: it double-charged consolidated shipments."),
    ('2024-12-01', 'R-3657', "Clarified the docstring; no price change."),
    ('2025-04-01', 'R-3670', "Split the widest band in two after the regulator's tariff notice."),
    ('2025-06-01', 'R-3756', "Rounded every amount to whole cents."),
    ('2025-09-01', 'R-3773', "Reviewed with the claims team; no change needed."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: half-up rounding to the service increment, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
