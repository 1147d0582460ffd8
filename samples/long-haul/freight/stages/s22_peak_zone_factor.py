"""Stage 22: peak_zone_factor.

Applies the peak season factor per zone and service.

The factor is in per mille: 1000 leaves the running total unchanged, 1085 adds
8.5 %. The result is rounded half up to whole cents, and the difference is
recorded as this stage's charge (it can be negative).

Maintained by the regional operations leads. Every change must be announced to key accounts thirty days in advance.
"""

from freight.records import add_charge, require_fields

STAGE = 22
NAME = "peak_zone_factor"
EFFECTIVE_FROM = "2024-11-01"


# column order of FACTORS
SERVICES = ('economy', 'standard', 'express', 'overnight')

# per-mille factor by destination zone, one column per service
FACTORS = {
    "Z01": (1004, 1009, 1024, 1028),
    "Z02": (1014, 1026, 1044, 1062),
    "Z03": (1006, 1043, 1016, 1117),
    "Z04": (979, 1011, 1025, 1063),
    "Z05": (975, 997, 1031, 1068),
    "Z06": (1014, 1048, 1032, 1086),
    "Z07": (981, 1009, 1015, 1032),
    "Z08": (992, 1022, 1042, 1007),
    "Z09": (977, 1015, 1053, 1061),
    "Z10": (1010, 1044, 1034, 1079),
    "Z11": (998, 1005, 1074, 1082),
    "Z12": (1023, 1043, 1069, 1080),
    "Z13": (1015, 1040, 1063, 1072),
    "Z14": (1009, 1017, 1031, 1027),
    "Z15": (1018, 1034, 1076, 1054),
    "Z16": (981, 1010, 1031, 1017),
    "Z17": (989, 1023, 1005, 1073),
    "Z18": (974, 998, 1050, 1013),
    "Z19": (1016, 1046, 1050, 1040),
    "Z20": (976, 998, 1024, 1072),
    "Z21": (981, 1017, 991, 999),
    "Z22": (979, 1018, 1009, 1093),
    "Z23": (995, 1032, 1057, 1079),
    "Z24": (994, 1030, 1032, 1012),
    "Z25": (1017, 1051, 1047, 1104),
    "Z26": (1008, 1032, 1066, 1080),
    "Z27": (975, 1005, 1043, 996),
    "Z28": (980, 1010, 992, 1055),
    "Z29": (1014, 1046, 1036, 1107),
    "Z30": (976, 1010, 1048, 1087),
    "Z31": (1030, 1040, 1108, 1096),
    "Z32": (1020, 1028, 1086, 1038),
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
    ('2018-02-01', 'R-3774', "Reviewed with the regional operations leads; no change needed."),
    ('2018-03-01', 'R-3842', "Added rows requested by revenue assurance."),
    ('2018-05-01', 'R-3848', "Clarified the docstring; no price change."),
    ('2018-06-01', 'R-3870', "Moved peak_zone_factor later in the pipeline so it sees the scaled total."),
    ('2018-08-01', 'R-3906', "Reverted R-3902: it double-charged consolidated shipments."),
    ('2018-09-01', 'R-3920', "Aligned the table with the 2018 Kestrel contract renewal."),
    ('2018-10-01', 'R-3972', "Lowered the amounts for Z09 following the peak season debrief."),
    ('2019-01-01', 'R-3978', "Rounded every amount to whole cents."),
    ('2019-05-01', 'R-3993', "Split the widest band in two after the terminal cost study."),
    ('2019-07-01', 'R-4016', "Raised the amounts by 4 % after the linehaul contract renewal."),
    ('2019-11-01', 'R-4035', "Aligned the table with the 2019 Northline contract renewal."),
    ('2020-01-01', 'R-4120', "Reverted R-4091: it double-charged consolidated shipments."),
    ('2020-04-01', 'R-4186', "Raised the amounts by 2.5 % after the regulator's tariff notice."),
    ('2020-07-01', 'R-4254', "Moved peak_zone_factor later in the pipeline so it sees the scaled total."),
    ('2020-11-01', 'R-4327', "Rounded every amount to whole cents."),
    ('2021-02-01', 'R-4338', "Lowered the amounts for Z24 following the regulator's tariff notice."),
    ('2021-03-01', 'R-4379', "Added rows requested by the linehaul pricing desk."),
    ('2021-06-01', 'R-4407', "Reviewed with revenue assurance; no change needed."),
    ('2021-09-01', 'R-4458', "Split the widest band in two after the fuel index review."),
    ('2021-10-01', 'R-4463', "Clarified the docstring; no price change."),
    ('2022-02-01', 'R-4519', "Reverted R-4508: it double-charged consolidated shipments."),
    ('2022-03-01', 'R-4591', "Moved peak_zone_factor later in the pipeline so it sees the scaled total."),
    ('2022-04-01', 'R-4593', "Raised the amounts by 6 % after the regulator's tariff notice."),
    ('2022-05-01', 'R-4667', "Rounded every amount to whole cents."),
    ('2022-07-01', 'R-4679', "Added rows requested by the accessorials working group."),
    ('2022-08-01', 'R-4761', "Clarified the docstring; no price change."),
    ('2022-12-01', 'R-4827', "Lowered the amounts for Z25 following the terminal cost study."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: per-mille factor for 32 zones x 4 services, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
