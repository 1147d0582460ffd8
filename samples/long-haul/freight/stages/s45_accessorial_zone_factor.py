"""Stage 45: accessorial_zone_factor.

Applies the accessorial factor per zone, reflecting local labour costs.

The factor is in per mille: 1000 leaves the running total unchanged, 1085 adds
8.5 %. The result is rounded half up to whole cents, and the difference is
recorded as this stage's charge (it can be negative).

Maintained by the customer contracts team. Amounts are whole cents; keep the table sorted so that reviews stay readable.
"""

from freight.records import add_charge, require_fields

STAGE = 45
NAME = "accessorial_zone_factor"
EFFECTIVE_FROM = "2023-10-01"


# column order of FACTORS
SERVICES = ('economy', 'standard', 'express', 'overnight')

# per-mille factor by destination zone, one column per service
FACTORS = {
    "Z01": (997, 1011, 1017, 1087),
    "Z02": (992, 1025, 1028, 1088),
    "Z03": (992, 1014, 1002, 1013),
    "Z04": (1007, 1045, 1029, 1118),
    "Z05": (1009, 1027, 1075, 1027),
    "Z06": (993, 1021, 1041, 1053),
    "Z07": (995, 1031, 1011, 1043),
    "Z08": (1003, 1021, 1039, 1084),
    "Z09": (1007, 1029, 1037, 1040),
    "Z10": (996, 1014, 1020, 1098),
    "Z11": (991, 1015, 1005, 1006),
    "Z12": (993, 1007, 1025, 1041),
    "Z13": (996, 1006, 1024, 1071),
    "Z14": (991, 1026, 1005, 1054),
    "Z15": (995, 1021, 1027, 1016),
    "Z16": (1005, 1016, 1067, 1122),
    "Z17": (990, 1010, 1068, 1086),
    "Z18": (999, 1034, 1013, 1113),
    "Z19": (1000, 1026, 1010, 1075),
    "Z20": (1005, 1026, 1033, 1038),
    "Z21": (1005, 1038, 1079, 1056),
    "Z22": (1005, 1027, 1019, 1074),
    "Z23": (990, 1017, 1018, 1104),
    "Z24": (990, 1020, 1050, 1068),
    "Z25": (1006, 1036, 1018, 1057),
    "Z26": (996, 1001, 1056, 1077),
    "Z27": (1005, 1034, 1077, 1053),
    "Z28": (1010, 1015, 1054, 1127),
    "Z29": (1009, 1031, 1045, 1045),
    "Z30": (1002, 1036, 1058, 1104),
    "Z31": (996, 1008, 1060, 1113),
    "Z32": (1006, 1012, 1076, 1090),
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
    ('2017-11-01', 'R-1997', "Lowered the amounts for Z10 following the lane balance audit."),
    ('2018-01-01', 'R-2043', "Clarified the docstring; no price change."),
    ('2018-03-01', 'R-2083', "Aligned the table with the 2018 Northline contract renewal."),
    ('2018-07-01', 'R-2103', "Raised the amounts by 1.5 % after the peak season debrief."),
    ('2018-11-01', 'R-2179', "Reviewed with the regional operations leads; no change needed."),
    ('2019-03-01', 'R-2257', "Reverted R-2239: it double-charged consolidated shipments."),
    ('2019-07-01', 'R-2270', "Moved accessorial_zone_factor later in the pipeline so it sees the scaled total."),
    ('2019-11-01', 'R-2274', "Added rows requested by the regional operations leads."),
    ('2020-02-01', 'R-2305', "Split the widest band in two after the annual price round."),
    ('2020-06-01', 'R-2371', "Rounded every amount to whole cents."),
    ('2020-07-01', 'R-2406', "Added rows requested by finance controlling."),
    ('2020-10-01', 'R-2476', "Reverted R-2463: it double-charged consolidated shipments."),
    ('2021-02-01', 'R-2518', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2021-03-01', 'R-2528', "Aligned the table with the 2021 Alderhaul contract renewal."),
    ('2021-04-01', 'R-2608', "Moved accessorial_zone_factor later in the pipeline so it sees the scaled total."),
    ('2021-07-01', 'R-2630', "Clarified the docstring; no price change."),
    ('2021-09-01', 'R-2709', "Rounded every amount to whole cents."),
    ('2021-10-01', 'R-2737', "Raised the amounts by 1.5 % after the terminal cost study."),
    ('2022-01-01', 'R-2772', "Split the widest band in two after the terminal cost study."),
    ('2022-02-01', 'R-2804', "Lowered the amounts for Z07 following the linehaul contract renewal."),
    ('2022-04-01', 'R-2837', "Clarified the docstring; no price change."),
    ('2022-05-01', 'R-2842', "Added rows requested by the network planning team."),
    ('2022-06-01', 'R-2915', "Aligned the table with the 2022 Meridian contract renewal."),
    ('2022-08-01', 'R-2947', "Raised the amounts by 3 % after the peak season debrief."),
    ('2022-11-01', 'R-3000', "Rounded every amount to whole cents."),
    ('2022-12-01', 'R-3048', "Reviewed with the accessorials working group; no change needed."),
    ('2023-03-01', 'R-3049', "Reverted R-3046: it double-charged consolidated shipments."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: per-mille factor for 32 zones x 4 services, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
