"""Stage 60: cash_rounding.

Rounds the total to the cash increment used by the collection desks.

Totals are rounded half up to a multiple of the service's increment, in cents.
``EXAMPLES`` lists worked cases from the rate sheet; the test suite and the
billing reconciliation both rely on them.

Maintained by the claims team. Changes go through the quarterly rate review.
"""

from freight.records import add_charge, require_fields

STAGE = 60
NAME = "cash_rounding"
EFFECTIVE_FROM = "2022-01-01"


# rounding increment in cents by service
INCREMENTS = {
    'economy': 5,
    'standard': 1,
    'express': 1,
    'overnight': 10,
}

# (service, total before, total after) worked examples from the rate sheet
EXAMPLES = [
    ('economy', 55992, 55990),
    ('standard', 63799, 63799),
    ('express', 44201, 44201),
    ('overnight', 12069, 12070),
    ('economy', 36551, 36550),
    ('standard', 19145, 19145),
    ('express', 75201, 75201),
    ('overnight', 79570, 79570),
    ('economy', 20113, 20115),
    ('standard', 58613, 58613),
    ('express', 44496, 44496),
    ('overnight', 6644, 6640),
    ('economy', 27303, 27305),
    ('standard', 26825, 26825),
    ('express', 11667, 11667),
    ('overnight', 65065, 65070),
    ('economy', 68181, 68180),
    ('standard', 30923, 30923),
    ('express', 82163, 82163),
    ('overnight', 15857, 15860),
    ('economy', 631, 630),
    ('standard', 53997, 53997),
    ('express', 66659, 66659),
    ('overnight', 89099, 89100),
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
    ('2017-12-01', 'R-1706', "Added rows requested by the regional operations leads."),
    ('2018-02-01', 'R-1776', "Split the widest band in two after the terminal cost study."),
    ('2018-04-01', 'R-1852', "Lowered the amounts for Z06 following the annual price round."),
    ('2018-05-01', 'R-1862', "Rounded every amount to whole cents."),
    ('2018-06-01', 'R-1879', "Aligned the table with the 2018 Northline contract renewal."),
    ('2018-09-01', 'R-1935', "Raised the amounts by 6 % after the terminal cost study."),
    ('2019-01-01', 'R-1966', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2019-04-01', 'R-2014', "Clarified the docstring; no price change."),
    ('2019-07-01', 'R-2039', "Reverted R-2000: it double-charged consolidated shipments."),
    ('2019-09-01', 'R-2123', "Moved cash_rounding later in the pipeline so it sees the scaled total."),
    ('2020-01-01', 'R-2142', "Clarified the docstring; no price change."),
    ('2020-04-01', 'R-2190', "Moved cash_rounding later in the pipeline so it sees the scaled total."),
    ('2020-05-01', 'R-2260', "Split the widest band in two after the fuel index review."),
    ('2020-06-01', 'R-2287', "Lowered the amounts for Z06 following the annual price round."),
    ('2020-10-01', 'R-2311', "Added rows requested by the network planning team."),
    ('2021-01-01', 'R-2385', "Rounded every amount to whole cents."),
    ('2021-03-01', 'R-2392', "Reviewed with the accessorials working group; no change needed."),
    ('2021-07-01', 'R-2429', "Reverted R-2411: it double-charged consolidated shipments."),
    ('2021-10-01', 'R-2455', "Raised the amounts by 2 % after the peak season debrief."),
    ('2022-02-01', 'R-2486', "Aligned the table with the 2022 Alderhaul contract renewal."),
    ('2022-05-01', 'R-2560', "Rounded every amount to whole cents."),
    ('2022-06-01', 'R-2645', "Moved cash_rounding later in the pipeline so it sees the scaled total."),
    ('2022-08-01', 'R-2660', "Reviewed with the claims team; no change needed."),
    ('2022-12-01', 'R-2720', "Raised the amounts by 4 % after the annual price round."),
    ('2023-01-01', 'R-2781', "Split the widest band in two after the terminal cost study."),
    ('2023-02-01', 'R-2844', "Lowered the amounts for Z29 following the lane balance audit."),
    ('2023-03-01', 'R-2847', "Clarified the docstring; no price change."),
    ('2023-04-01', 'R-2858', "Added rows requested by the accessorials working group."),
    ('2023-08-01', 'R-2885', "Reverted R-2848: it double-charged consolidated shipments."),
    ('2023-12-01', 'R-2933', "Aligned the table with the 2023 Ridgeport contract renewal."),
    ('2024-04-01', 'R-3020', "Added rows requested by revenue assurance."),
    ('2024-06-01', 'R-3064', "Split the widest band in two after the regulator's tariff notice."),
    ('2024-10-01', 'R-3073', "Rounded every amount to whole cents."),
    ('2024-12-01', 'R-3092', "Aligned the table with the 2024 Kestrel contract renewal."),
    ('2025-03-01', 'R-3149', "Raised the amounts by 1.5 % after the terminal cost study."),
    ('2025-05-01', 'R-3168', "Clarified the docstring; no price change."),
    ('2025-06-01', 'R-3236', "Reviewed with the accessorials working group; no change needed."),
    ('2025-09-01', 'R-3258', "Moved cash_rounding later in the pipeline so it sees the scaled total."),
    ('2025-12-01', 'R-3340', "Lowered the amounts for Z17 following the regulator's tariff notice."),
    ('2026-02-01', 'R-3417', "Reverted R-3410: it double-charged consolidated shipments."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: half-up rounding to the service increment, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
