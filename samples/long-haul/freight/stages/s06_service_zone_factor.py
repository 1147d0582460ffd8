"""Stage 06: service_zone_factor.

Applies the service-level factor per zone: express and overnight cost more where the
network is thin.

The factor is in per mille: 1000 leaves the running total unchanged, 1085 adds
8.5 %. The result is rounded half up to whole cents, and the difference is
recorded as this stage's charge (it can be negative).

Maintained by the regional operations leads. Changes go through the quarterly rate review.
"""

from freight.records import add_charge, require_fields

STAGE = 6
NAME = "service_zone_factor"
EFFECTIVE_FROM = "2024-07-01"


# column order of FACTORS
SERVICES = ('economy', 'standard', 'express', 'overnight')

# per-mille factor by destination zone, one column per service
FACTORS = {
    "Z01": (993, 1031, 1051, 1068),
    "Z02": (991, 1026, 1037, 1066),
    "Z03": (998, 1013, 1042, 1013),
    "Z04": (1010, 1033, 1040, 1097),
    "Z05": (998, 1011, 1072, 1103),
    "Z06": (994, 1031, 1014, 1111),
    "Z07": (1005, 1015, 1031, 1029),
    "Z08": (994, 1002, 1004, 1096),
    "Z09": (1007, 1030, 1041, 1124),
    "Z10": (1005, 1035, 1035, 1122),
    "Z11": (1002, 1030, 1080, 1023),
    "Z12": (1002, 1031, 1070, 1080),
    "Z13": (993, 1029, 1013, 1032),
    "Z14": (997, 1020, 1045, 1045),
    "Z15": (993, 1011, 1061, 1098),
    "Z16": (1008, 1036, 1024, 1029),
    "Z17": (1009, 1037, 1043, 1063),
    "Z18": (996, 1014, 1036, 1023),
    "Z19": (993, 1013, 1071, 1074),
    "Z20": (1009, 1027, 1077, 1102),
    "Z21": (1010, 1038, 1030, 1064),
    "Z22": (993, 999, 1045, 1035),
    "Z23": (993, 1001, 1035, 1080),
    "Z24": (991, 1013, 1051, 1066),
    "Z25": (1001, 1038, 1077, 1055),
    "Z26": (995, 1024, 1041, 1049),
    "Z27": (1003, 1013, 1027, 1057),
    "Z28": (1007, 1035, 1033, 1067),
    "Z29": (1009, 1032, 1051, 1036),
    "Z30": (999, 1036, 1037, 1077),
    "Z31": (999, 1014, 1037, 1113),
    "Z32": (996, 1027, 1006, 1038),
}


def factor_for(zone, service):
    """Return the per-mille factor for ``zone`` and ``service``; unknown zones and services use 1000."""
    row = FACTORS.get(zone)
    if row is None or service not in SERVICES:
        return 1000
    return row[SERVICES.index(service)]


def explain(record):
    """Return a human-readable explanation of the factor for ``record``."""
    factor = factor_for(record["zone"], record["service"])
    return f"{NAME}: zone {record['zone']} / {record['service']} factor {factor / 10:.1f} %"


def apply(record):
    """Scale the running total by the zone and service factor."""
    require_fields(record, "zone", "service", "total_cents")
    factor = factor_for(record["zone"], record["service"])
    before = record["total_cents"]
    after = (before * factor + 500) // 1000
    add_charge(record, NAME, after - before)
    return record

# (effective date, ticket, change) - newest last
REVISIONS = [
    ('2018-03-01', 'R-3543', "Raised the amounts by 3 % after the linehaul contract renewal."),
    ('2018-04-01', 'R-3591', "Rounded every amount to whole cents."),
    ('2018-06-01', 'R-3633', "Aligned the table with the 2018 Alderhaul contract renewal."),
    ('2018-10-01', 'R-3722', "Reviewed with revenue assurance; no change needed."),
    ('2018-11-01', 'R-3804', "Lowered the amounts for Z04 following the terminal cost study."),
    ('2018-12-01', 'R-3810', "Split the widest band in two after the fuel index review."),
    ('2019-02-01', 'R-3824', "Clarified the docstring; no price change."),
    ('2019-03-01', 'R-3901', "Added rows requested by the linehaul pricing desk."),
    ('2019-07-01', 'R-3945', "Reverted R-3937: it double-charged consolidated shipments."),
    ('2019-09-01', 'R-4001', "Moved service_zone_factor later in the pipeline so it sees the scaled total."),
    ('2019-11-01', 'R-4065', "Added rows requested by the network planning team."),
    ('2020-01-01', 'R-4102', "Clarified the docstring; no price change."),
    ('2020-02-01', 'R-4127', "Split the widest band in two after the linehaul contract renewal."),
    ('2020-04-01', 'R-4140', "Raised the amounts by 2.5 % after the annual price round."),
    ('2020-06-01', 'R-4178', "Lowered the amounts for Z03 following the lane balance audit."),
    ('2020-07-01', 'R-4217', "Moved service_zone_factor later in the pipeline so it sees the scaled total."),
    ('2020-10-01', 'R-4290', "Reverted R-4265: it double-charged consolidated shipments."),
    ('2020-12-01', 'R-4367', "Rounded every amount to whole cents."),
    ('2021-03-01', 'R-4443', "Aligned the table with the 2021 Copperway contract renewal."),
    ('2021-04-01', 'R-4461', "Reviewed with the regional operations leads; no change needed."),
    ('2021-07-01', 'R-4529', "Reviewed with the accessorials working group; no change needed."),
    ('2021-09-01', 'R-4538', "Split the widest band in two after the peak season debrief."),
    ('2022-01-01', 'R-4611', "Added rows requested by finance controlling."),
    ('2022-04-01', 'R-4656', "Reverted R-4619: it double-charged consolidated shipments."),
    ('2022-07-01', 'R-4695', "Lowered the amounts for Z12 following the lane balance audit."),
    ('2022-09-01', 'R-4757', "Aligned the table with the 2022 Tidemark contract renewal."),
    ('2022-10-01', 'R-4834', "Raised the amounts by 6 % after the fuel index review."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: per-mille factor for 32 zones x 4 services, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
