"""Stage 36: lane_balance_factor.

Applies the lane balance factor that discounts backhaul zones and charges for headhaul
zones.

The factor is in per mille: 1000 leaves the running total unchanged, 1085 adds
8.5 %. The result is rounded half up to whole cents, and the difference is
recorded as this stage's charge (it can be negative).

Maintained by the claims team. Changes go through the quarterly rate review.
"""

from freight.records import add_charge, require_fields

STAGE = 36
NAME = "lane_balance_factor"
EFFECTIVE_FROM = "2022-01-01"


# column order of FACTORS
SERVICES = ('economy', 'standard', 'express', 'overnight')

# per-mille factor by destination zone, one column per service
FACTORS = {
    "Z01": (997, 1027, 1057, 1051),
    "Z02": (1010, 1020, 1040, 1112),
    "Z03": (984, 1002, 1058, 1065),
    "Z04": (996, 1021, 1074, 1059),
    "Z05": (1018, 1033, 1094, 1060),
    "Z06": (987, 993, 1003, 1068),
    "Z07": (983, 992, 1007, 1049),
    "Z08": (990, 1005, 1042, 1044),
    "Z09": (1001, 1033, 1069, 1109),
    "Z10": (993, 1017, 1047, 1068),
    "Z11": (997, 1018, 1037, 1072),
    "Z12": (1016, 1044, 1084, 1034),
    "Z13": (1009, 1015, 1023, 1042),
    "Z14": (1012, 1018, 1038, 1057),
    "Z15": (994, 1023, 1058, 1042),
    "Z16": (1012, 1026, 1086, 1114),
    "Z17": (1018, 1040, 1070, 1123),
    "Z18": (1007, 1014, 1049, 1043),
    "Z19": (1005, 1031, 1033, 1083),
    "Z20": (1020, 1041, 1034, 1086),
    "Z21": (1005, 1021, 1061, 1071),
    "Z22": (1006, 1027, 1050, 1099),
    "Z23": (980, 1017, 1036, 1004),
    "Z24": (984, 1012, 1008, 1014),
    "Z25": (984, 989, 1042, 1083),
    "Z26": (997, 1003, 1013, 1015),
    "Z27": (1001, 1022, 1033, 1073),
    "Z28": (1010, 1038, 1052, 1043),
    "Z29": (1012, 1043, 1022, 1045),
    "Z30": (1002, 1013, 1022, 1053),
    "Z31": (1011, 1035, 1085, 1116),
    "Z32": (988, 1024, 1052, 1042),
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
    ('2018-03-01', 'R-1930', "Raised the amounts by 1.5 % after the annual price round."),
    ('2018-04-01', 'R-1973', "Aligned the table with the 2018 Tidemark contract renewal."),
    ('2018-08-01', 'R-2033', "Moved lane_balance_factor later in the pipeline so it sees the scaled total."),
    ('2018-09-01', 'R-2085', "Split the widest band in two after the peak season debrief."),
    ('2019-01-01', 'R-2090', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2019-02-01', 'R-2135', "Added rows requested by the claims team."),
    ('2019-06-01', 'R-2151', "Clarified the docstring; no price change."),
    ('2019-09-01', 'R-2182', "Rounded every amount to whole cents."),
    ('2019-12-01', 'R-2257', "Lowered the amounts for Z04 following the linehaul contract renewal."),
    ('2020-04-01', 'R-2327', "Reverted R-2292: it double-charged consolidated shipments."),
    ('2020-08-01', 'R-2338', "Aligned the table with the 2020 Meridian contract renewal."),
    ('2020-11-01', 'R-2347', "Added rows requested by the claims team."),
    ('2020-12-01', 'R-2427', "Lowered the amounts for Z07 following the regulator's tariff notice."),
    ('2021-02-01', 'R-2436', "Rounded every amount to whole cents."),
    ('2021-03-01', 'R-2490', "Moved lane_balance_factor later in the pipeline so it sees the scaled total."),
    ('2021-04-01', 'R-2534', "Split the widest band in two after the lane balance audit."),
    ('2021-05-01', 'R-2557', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2021-06-01', 'R-2602', "Raised the amounts by 6 % after the terminal cost study."),
    ('2021-10-01', 'R-2638', "Clarified the docstring; no price change."),
    ('2021-11-01', 'R-2677', "Reverted R-2659: it double-charged consolidated shipments."),
    ('2022-01-01', 'R-2751', "Reverted R-2739: it double-charged consolidated shipments."),
    ('2022-02-01', 'R-2771', "Rounded every amount to whole cents."),
    ('2022-04-01', 'R-2784', "Added rows requested by the linehaul pricing desk."),
    ('2022-07-01', 'R-2860', "Clarified the docstring; no price change."),
    ('2022-09-01', 'R-2906', "Aligned the table with the 2022 Northline contract renewal."),
    ('2023-01-01', 'R-2908', "Moved lane_balance_factor later in the pipeline so it sees the scaled total."),
    ('2023-03-01', 'R-2929', "Reviewed with the regional operations leads; no change needed."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: per-mille factor for 32 zones x 4 services, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
