"""Stage 04: zone_multiplier.

Scales the running total by the destination zone's cost factor for the chosen service.

The factor is in per mille: 1000 leaves the running total unchanged, 1085 adds
8.5 %. The result is rounded half up to whole cents, and the difference is
recorded as this stage's charge (it can be negative).

Maintained by the claims team. Every change must be announced to key accounts thirty days in advance.
"""

from freight.records import add_charge, require_fields

STAGE = 4
NAME = "zone_multiplier"
EFFECTIVE_FROM = "2022-05-01"


# column order of FACTORS
SERVICES = ('economy', 'standard', 'express', 'overnight')

# per-mille factor by destination zone, one column per service
FACTORS = {
    "Z01": (997, 1024, 1057, 1057),
    "Z02": (1000, 1031, 1044, 1045),
    "Z03": (1025, 1046, 1071, 1115),
    "Z04": (1001, 1021, 1033, 1106),
    "Z05": (1026, 1061, 1082, 1113),
    "Z06": (972, 994, 998, 1056),
    "Z07": (984, 1010, 1010, 1092),
    "Z08": (1023, 1031, 1049, 1041),
    "Z09": (967, 1002, 989, 1033),
    "Z10": (1005, 1043, 1081, 1098),
    "Z11": (973, 981, 1005, 991),
    "Z12": (985, 1000, 1027, 1102),
    "Z13": (1038, 1055, 1086, 1065),
    "Z14": (1043, 1061, 1091, 1130),
    "Z15": (970, 989, 988, 1039),
    "Z16": (961, 987, 1025, 1066),
    "Z17": (971, 1002, 1043, 1046),
    "Z18": (1008, 1015, 1036, 1044),
    "Z19": (1018, 1049, 1082, 1048),
    "Z20": (977, 1007, 997, 1019),
    "Z21": (1008, 1022, 1068, 1113),
    "Z22": (976, 988, 1028, 1030),
    "Z23": (987, 994, 1063, 1059),
    "Z24": (1021, 1034, 1045, 1117),
    "Z25": (1026, 1058, 1098, 1083),
    "Z26": (1032, 1062, 1106, 1068),
    "Z27": (989, 994, 1039, 1061),
    "Z28": (961, 980, 983, 976),
    "Z29": (1031, 1057, 1089, 1073),
    "Z30": (1004, 1038, 1032, 1070),
    "Z31": (1033, 1064, 1053, 1054),
    "Z32": (1032, 1050, 1072, 1086),
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
    ('2017-07-01', 'R-2744', "Moved zone_multiplier later in the pipeline so it sees the scaled total."),
    ('2017-10-01', 'R-2762', "Lowered the amounts for Z28 following the claims ratio review."),
    ('2017-11-01', 'R-2839', "Reviewed with the claims team; no change needed."),
    ('2017-12-01', 'R-2860', "Split the widest band in two after the peak season debrief."),
    ('2018-03-01', 'R-2881', "Added rows requested by the customer contracts team."),
    ('2018-05-01', 'R-2934', "Aligned the table with the 2018 Copperway contract renewal."),
    ('2018-06-01', 'R-2993', "Rounded every amount to whole cents."),
    ('2018-07-01', 'R-3064', "Raised the amounts by 1.5 % after the annual price round."),
    ('2018-11-01', 'R-3086', "Clarified the docstring; no price change."),
    ('2019-02-01', 'R-3129', "Reverted R-3112: it double-charged consolidated shipments."),
    ('2019-05-01', 'R-3151', "Aligned the table with the 2019 Ridgeport contract renewal."),
    ('2019-08-01', 'R-3199', "Rounded every amount to whole cents."),
    ('2019-11-01', 'R-3248', "Split the widest band in two after the terminal cost study."),
    ('2020-03-01', 'R-3311', "Reverted R-3309: it double-charged consolidated shipments."),
    ('2020-07-01', 'R-3376', "Lowered the amounts for Z31 following the regulator's tariff notice."),
    ('2020-09-01', 'R-3416', "Added rows requested by finance controlling."),
    ('2020-10-01', 'R-3449', "Clarified the docstring; no price change."),
    ('2020-11-01', 'R-3484', "Raised the amounts by 6 % after the annual price round."),
    ('2021-03-01', 'R-3533', "Reviewed with the network planning team; no change needed."),
    ('2021-05-01', 'R-3561', "Moved zone_multiplier later in the pipeline so it sees the scaled total."),
    ('2021-09-01', 'R-3604', "Clarified the docstring; no price change."),
    ('2021-10-01', 'R-3690', "Rounded every amount to whole cents."),
    ('2022-02-01', 'R-3730', "Aligned the table with the 2022 Copperway contract renewal."),
    ('2022-04-01', 'R-3792', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2022-07-01', 'R-3842', "Reverted R-3808: it double-charged consolidated shipments."),
    ('2022-11-01', 'R-3875', "Split the widest band in two after the linehaul contract renewal."),
    ('2023-02-01', 'R-3958', "Moved zone_multiplier later in the pipeline so it sees the scaled total."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: per-mille factor for 32 zones x 4 services, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
