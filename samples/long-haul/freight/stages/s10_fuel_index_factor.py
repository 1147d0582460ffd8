"""Stage 10: fuel_index_factor.

Applies the monthly fuel index factor per zone to the running total.

The factor is in per mille: 1000 leaves the running total unchanged, 1085 adds
8.5 %. The result is rounded half up to whole cents, and the difference is
recorded as this stage's charge (it can be negative).

Maintained by revenue assurance. Every change must be announced to key accounts thirty days in advance.
"""

from freight.records import add_charge, require_fields

STAGE = 10
NAME = "fuel_index_factor"
EFFECTIVE_FROM = "2024-11-01"


# column order of FACTORS
SERVICES = ('economy', 'standard', 'express', 'overnight')

# per-mille factor by destination zone, one column per service
FACTORS = {
    "Z01": (1001, 1027, 1059, 1100),
    "Z02": (974, 1000, 1030, 1091),
    "Z03": (1008, 1037, 1040, 1053),
    "Z04": (970, 988, 1002, 1024),
    "Z05": (991, 996, 1065, 1105),
    "Z06": (981, 1007, 997, 1044),
    "Z07": (1040, 1064, 1080, 1130),
    "Z08": (1012, 1037, 1054, 1099),
    "Z09": (989, 1011, 1035, 1082),
    "Z10": (1039, 1058, 1059, 1066),
    "Z11": (1033, 1047, 1057, 1051),
    "Z12": (972, 1001, 1004, 1026),
    "Z13": (1031, 1059, 1071, 1100),
    "Z14": (1012, 1047, 1032, 1039),
    "Z15": (1039, 1051, 1117, 1132),
    "Z16": (977, 997, 1005, 1031),
    "Z17": (1023, 1046, 1079, 1101),
    "Z18": (1008, 1043, 1044, 1065),
    "Z19": (1035, 1062, 1097, 1080),
    "Z20": (955, 980, 1017, 1024),
    "Z21": (994, 1023, 1062, 1072),
    "Z22": (1028, 1051, 1042, 1082),
    "Z23": (1024, 1036, 1058, 1048),
    "Z24": (980, 1017, 1058, 1058),
    "Z25": (984, 1016, 1048, 1011),
    "Z26": (1013, 1036, 1085, 1088),
    "Z27": (1016, 1026, 1068, 1088),
    "Z28": (1036, 1044, 1082, 1099),
    "Z29": (965, 993, 1003, 1001),
    "Z30": (992, 1025, 1020, 1016),
    "Z31": (992, 1031, 1016, 1016),
    "Z32": (1036, 1045, 1070, 1087),
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
    ('2017-04-01', 'R-3137', "Moved fuel_index_factor later in the pipeline so it sees the scaled total."),
    ('2017-06-01', 'R-3173', "Aligned the table with the 2017 Bayfreight contract renewal."),
    ('2017-07-01', 'R-3183', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2017-11-01', 'R-3250', "Lowered the amounts for Z26 following the annual price round."),
    ('2018-03-01', 'R-3319', "Added rows requested by the customer contracts team."),
    ('2018-07-01', 'R-3359', "Raised the amounts by 1.5 % after the claims ratio review."),
    ('2018-11-01', 'R-3360', "Rounded every amount to whole cents."),
    ('2019-02-01', 'R-3370', "Clarified the docstring; no price change."),
    ('2019-06-01', 'R-3433', "Reverted R-3422: it double-charged consolidated shipments."),
    ('2019-10-01', 'R-3516', "Split the widest band in two after the lane balance audit."),
    ('2020-02-01', 'R-3553', "Aligned the table with the 2020 Alderhaul contract renewal."),
    ('2020-04-01', 'R-3636', "Reverted R-3624: it double-charged consolidated shipments."),
    ('2020-05-01', 'R-3660', "Raised the amounts by 3 % after the peak season debrief."),
    ('2020-07-01', 'R-3676', "Rounded every amount to whole cents."),
    ('2020-10-01', 'R-3698', "Moved fuel_index_factor later in the pipeline so it sees the scaled total."),
    ('2020-11-01', 'R-3766', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2020-12-01', 'R-3802', "Split the widest band in two after the terminal cost study."),
    ('2021-04-01', 'R-3890', "Clarified the docstring; no price change."),
    ('2021-05-01', 'R-3915', "Added rows requested by the customer contracts team."),
    ('2021-09-01', 'R-3925', "Lowered the amounts for Z04 following the linehaul contract renewal."),
    ('2022-01-01', 'R-3963', "Rounded every amount to whole cents."),
    ('2022-05-01', 'R-4015', "Reverted R-3989: it double-charged consolidated shipments."),
    ('2022-06-01', 'R-4078', "Lowered the amounts for Z22 following the peak season debrief."),
    ('2022-08-01', 'R-4163', "Moved fuel_index_factor later in the pipeline so it sees the scaled total."),
    ('2022-09-01', 'R-4246', "Added rows requested by the network planning team."),
    ('2022-12-01', 'R-4331', "Clarified the docstring; no price change."),
    ('2023-02-01', 'R-4387', "Raised the amounts by 2.5 % after the claims ratio review."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: per-mille factor for 32 zones x 4 services, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
