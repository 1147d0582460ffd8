"""Stage 42: currency_zone_factor.

Applies the currency adjustment factor for zones billed through foreign subsidiaries.

The factor is in per mille: 1000 leaves the running total unchanged, 1085 adds
8.5 %. The result is rounded half up to whole cents, and the difference is
recorded as this stage's charge (it can be negative).

Maintained by revenue assurance. Changes go through the quarterly rate review.
"""

from freight.records import add_charge, require_fields

STAGE = 42
NAME = "currency_zone_factor"
EFFECTIVE_FROM = "2024-07-01"


# column order of FACTORS
SERVICES = ('economy', 'standard', 'express', 'overnight')

# per-mille factor by destination zone, one column per service
FACTORS = {
    "Z01": (981, 986, 1019, 1071),
    "Z02": (987, 993, 1063, 1032),
    "Z03": (989, 1021, 1053, 1085),
    "Z04": (1020, 1054, 1030, 1116),
    "Z05": (997, 1019, 1071, 1072),
    "Z06": (1017, 1030, 1071, 1080),
    "Z07": (993, 1027, 1035, 1041),
    "Z08": (981, 1019, 1055, 1044),
    "Z09": (998, 1037, 1070, 1106),
    "Z10": (1000, 1019, 1078, 1027),
    "Z11": (1002, 1033, 1036, 1074),
    "Z12": (1001, 1021, 1071, 1079),
    "Z13": (1014, 1019, 1048, 1086),
    "Z14": (980, 988, 1038, 1091),
    "Z15": (985, 992, 1019, 1081),
    "Z16": (992, 1012, 1004, 1079),
    "Z17": (986, 1021, 1052, 1022),
    "Z18": (986, 1006, 1030, 1100),
    "Z19": (1016, 1030, 1082, 1052),
    "Z20": (1008, 1028, 1076, 1083),
    "Z21": (1012, 1017, 1064, 1126),
    "Z22": (997, 1008, 1011, 1033),
    "Z23": (1010, 1049, 1088, 1067),
    "Z24": (982, 1002, 1006, 1033),
    "Z25": (1009, 1026, 1087, 1036),
    "Z26": (1019, 1048, 1067, 1073),
    "Z27": (991, 1018, 1055, 1096),
    "Z28": (1001, 1014, 1059, 1061),
    "Z29": (1011, 1017, 1051, 1074),
    "Z30": (1017, 1034, 1077, 1083),
    "Z31": (992, 1002, 1040, 1073),
    "Z32": (1004, 1025, 1056, 1070),
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
    ('2017-08-01', 'R-1876', "Reviewed with the claims team; no change needed."),
    ('2017-10-01', 'R-1938', "Moved currency_zone_factor later in the pipeline so it sees the scaled total."),
    ('2018-01-01', 'R-1969', "Lowered the amounts for Z31 following the lane balance audit."),
    ('2018-02-01', 'R-2010', "Reverted R-2006: it double-charged consolidated shipments."),
    ('2018-03-01', 'R-2081', "Rounded every amount to whole cents."),
    ('2018-06-01', 'R-2098', "Raised the amounts by 2 % after the linehaul contract renewal."),
    ('2018-08-01', 'R-2144', "Split the widest band in two after the fuel index review."),
    ('2018-11-01', 'R-2209', "Aligned the table with the 2018 Tidemark contract renewal."),
    ('2019-01-01', 'R-2228', "Clarified the docstring; no price change."),
    ('2019-03-01', 'R-2290', "Added rows requested by the regional operations leads."),
    ('2019-06-01', 'R-2358', "Raised the amounts by 3 % after the annual price round."),
    ('2019-10-01', 'R-2431', "Aligned the table with the 2019 Copperway contract renewal."),
    ('2020-01-01', 'R-2433', "Reviewed with the regional operations leads; no change needed."),
    ('2020-04-01', 'R-2486', "Reverted R-2451: it double-charged consolidated shipments."),
    ('2020-06-01', 'R-2574', "Clarified the docstring; no price change."),
    ('2020-07-01', 'R-2579', "Added rows requested by finance controlling."),
    ('2020-09-01', 'R-2625', "Rounded every amount to whole cents."),
    ('2020-10-01', 'R-2674', "Lowered the amounts for Z17 following the lane balance audit."),
    ('2021-01-01', 'R-2689', "Split the widest band in two after the lane balance audit."),
    ('2021-03-01', 'R-2737', "Moved currency_zone_factor later in the pipeline so it sees the scaled total."),
    ('2021-05-01', 'R-2806', "Split the widest band in two after the peak season debrief."),
    ('2021-09-01', 'R-2895', "Lowered the amounts for Z15 following the fuel index review."),
    ('2022-01-01', 'R-2908', "Reverted R-2881: it double-charged consolidated shipments."),
    ('2022-02-01', 'R-2948', "Aligned the table with the 2022 Kestrel contract renewal."),
    ('2022-06-01', 'R-2973', "Moved currency_zone_factor later in the pipeline so it sees the scaled total."),
    ('2022-09-01', 'R-2974', "Reviewed with the claims team; no change needed."),
    ('2022-11-01', 'R-3027', "Added rows requested by the network planning team."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: per-mille factor for 32 zones x 4 services, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
