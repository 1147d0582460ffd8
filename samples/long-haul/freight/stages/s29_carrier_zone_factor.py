"""Stage 29: carrier_zone_factor.

Applies the partner carrier factor for zones served by subcontracted carriers.

The factor is in per mille: 1000 leaves the running total unchanged, 1085 adds
8.5 %. The result is rounded half up to whole cents, and the difference is
recorded as this stage's charge (it can be negative).

Maintained by the customer contracts team. The table mirrors the published rate sheet; keep both in sync.
"""

from freight.records import add_charge, require_fields

STAGE = 29
NAME = "carrier_zone_factor"
EFFECTIVE_FROM = "2023-06-01"


# column order of FACTORS
SERVICES = ('economy', 'standard', 'express', 'overnight')

# per-mille factor by destination zone, one column per service
FACTORS = {
    "Z01": (1017, 1034, 1055, 1131),
    "Z02": (1000, 1017, 1048, 1063),
    "Z03": (995, 1033, 1023, 1082),
    "Z04": (1020, 1055, 1098, 1095),
    "Z05": (1031, 1067, 1095, 1145),
    "Z06": (1021, 1035, 1075, 1036),
    "Z07": (1016, 1044, 1060, 1082),
    "Z08": (1009, 1044, 1073, 1054),
    "Z09": (1038, 1077, 1074, 1110),
    "Z10": (1035, 1067, 1081, 1116),
    "Z11": (1031, 1058, 1049, 1076),
    "Z12": (1043, 1063, 1061, 1142),
    "Z13": (979, 999, 1007, 1054),
    "Z14": (989, 996, 1067, 1028),
    "Z15": (1045, 1079, 1105, 1111),
    "Z16": (1024, 1058, 1076, 1138),
    "Z17": (1018, 1026, 1072, 1093),
    "Z18": (1014, 1035, 1024, 1125),
    "Z19": (1000, 1005, 1010, 1021),
    "Z20": (966, 986, 992, 984),
    "Z21": (967, 995, 1003, 1072),
    "Z22": (989, 1001, 1053, 1037),
    "Z23": (956, 971, 1012, 1016),
    "Z24": (1013, 1029, 1071, 1118),
    "Z25": (1014, 1020, 1084, 1062),
    "Z26": (1037, 1073, 1101, 1124),
    "Z27": (956, 977, 1020, 1052),
    "Z28": (1041, 1060, 1097, 1065),
    "Z29": (969, 988, 1031, 1023),
    "Z30": (997, 1017, 1037, 1090),
    "Z31": (964, 976, 1008, 1036),
    "Z32": (964, 995, 1002, 1018),
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
    ('2018-02-01', 'R-1287', "Reverted R-1285: it double-charged consolidated shipments."),
    ('2018-03-01', 'R-1375', "Rounded every amount to whole cents."),
    ('2018-04-01', 'R-1431', "Clarified the docstring; no price change."),
    ('2018-05-01', 'R-1438', "Lowered the amounts for Z06 following the claims ratio review."),
    ('2018-09-01', 'R-1521', "Aligned the table with the 2018 Tidemark contract renewal."),
    ('2018-12-01', 'R-1523', "Moved carrier_zone_factor later in the pipeline so it sees the scaled total."),
    ('2019-04-01', 'R-1580', "Raised the amounts by 2 % after the linehaul contract renewal."),
    ('2019-05-01', 'R-1596', "Added rows requested by the network planning team."),
    ('2019-09-01', 'R-1622', "Reviewed with the customer contracts team; no change needed."),
    ('2020-01-01', 'R-1697', "Split the widest band in two after the linehaul contract renewal."),
    ('2020-04-01', 'R-1785', "Split the widest band in two after the peak season debrief."),
    ('2020-08-01', 'R-1798', "Moved carrier_zone_factor later in the pipeline so it sees the scaled total."),
    ('2020-09-01', 'R-1856', "Raised the amounts by 3 % after the fuel index review."),
    ('2020-11-01', 'R-1890', "Rounded every amount to whole cents."),
    ('2021-02-01', 'R-1896', "Reviewed with the claims team; no change needed."),
    ('2021-05-01', 'R-1956', "Lowered the amounts for Z11 following the annual price round."),
    ('2021-08-01', 'R-1989', "Clarified the docstring; no price change."),
    ('2021-10-01', 'R-2028', "Added rows requested by the claims team."),
    ('2021-11-01', 'R-2069', "Aligned the table with the 2021 Northline contract renewal."),
    ('2022-02-01', 'R-2130', "Reverted R-2124: it double-charged consolidated shipments."),
    ('2022-04-01', 'R-2149', "Reverted R-2147: it double-charged consolidated shipments."),
    ('2022-06-01', 'R-2188', "Reviewed with the customer contracts team; no change needed."),
    ('2022-08-01', 'R-2206', "Clarified the docstring; no price change."),
    ('2022-10-01', 'R-2244', "Rounded every amount to whole cents."),
    ('2022-11-01', 'R-2262', "Added rows requested by the linehaul pricing desk."),
    ('2023-02-01', 'R-2282', "Moved carrier_zone_factor later in the pipeline so it sees the scaled total."),
    ('2023-04-01', 'R-2285', "Split the widest band in two after the terminal cost study."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: per-mille factor for 32 zones x 4 services, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
