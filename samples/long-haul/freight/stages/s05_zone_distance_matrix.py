"""Stage 05: zone_distance_matrix.

Adds the delivery surcharge that depends on both the destination zone and the distance
band.

The surcharge is looked up by destination zone and by the band of ``distance_km``
(the lane distance in kilometres). Bands are inclusive of their upper limit; values above the last
band use the last column.

Maintained by the customer contracts team. The table mirrors the published rate sheet; keep both in sync.
"""

from freight.records import add_charge, require_fields

STAGE = 5
NAME = "zone_distance_matrix"
EFFECTIVE_FROM = "2023-06-01"

FIELD = "distance_km"

# upper limit of each band, in km, inclusive
BANDS = (50, 150, 300, 600, 1200, 2500)

# surcharge in cents by zone, one column per band
MATRIX = {
    "Z01": (48, 123, 143, 258, 353, 393),
    "Z02": (33, 63, 128, 218, 313, 318),
    "Z03": (16, 106, 171, 256, 311, 336),
    "Z04": (42, 102, 132, 237, 287, 362),
    "Z05": (38, 123, 143, 158, 278, 338),
    "Z06": (13, 103, 133, 228, 308, 318),
    "Z07": (21, 101, 201, 281, 376, 396),
    "Z08": (51, 76, 151, 176, 266, 386),
    "Z09": (2, 122, 167, 247, 357, 387),
    "Z10": (18, 133, 248, 283, 393, 413),
    "Z11": (46, 131, 186, 261, 266, 366),
    "Z12": (42, 52, 92, 197, 312, 337),
    "Z13": (34, 64, 164, 184, 254, 359),
    "Z14": (1, 71, 176, 186, 246, 331),
    "Z15": (25, 110, 140, 215, 285, 335),
    "Z16": (17, 52, 107, 162, 212, 317),
    "Z17": (15, 70, 130, 185, 260, 365),
    "Z18": (45, 75, 150, 200, 265, 335),
    "Z19": (34, 139, 154, 179, 214, 249),
    "Z20": (29, 89, 149, 234, 249, 324),
    "Z21": (54, 144, 219, 329, 364, 424),
    "Z22": (28, 128, 208, 238, 243, 253),
    "Z23": (50, 110, 160, 165, 250, 290),
    "Z24": (17, 52, 97, 162, 222, 272),
    "Z25": (48, 168, 248, 348, 413, 528),
    "Z26": (40, 60, 70, 120, 135, 185),
    "Z27": (50, 75, 105, 225, 290, 360),
    "Z28": (37, 87, 187, 217, 287, 387),
    "Z29": (3, 113, 208, 263, 383, 398),
    "Z30": (6, 91, 116, 231, 256, 301),
    "Z31": (2, 22, 87, 177, 232, 327),
    "Z32": (38, 133, 183, 208, 278, 288),
}


def band_index(value):
    """Return the index of the band that contains ``value``."""
    for index, upper in enumerate(BANDS):
        if value <= upper:
            return index
    return len(BANDS) - 1


def explain(record):
    """Return a human-readable explanation of the surcharge for ``record``."""
    index = band_index(record[FIELD])
    row = MATRIX.get(record["zone"])
    amount = row[index] if row else 0
    return f"{NAME}: zone {record['zone']}, band {index} (up to {BANDS[index]}), {amount} cents"


def apply(record):
    """Add the zone and band surcharge."""
    require_fields(record, "zone", FIELD)
    row = MATRIX.get(record["zone"])
    amount = row[band_index(record[FIELD])] if row else 0
    add_charge(record, NAME, amount)
    return record

# (effective date, ticket, change) - newest last
REVISIONS = [
    ('2017-04-01', 'R-3021', "Reverted R-3001: it double-charged consolidated shipments."),
    ('2017-05-01', 'R-3053', "Rounded every amount to whole cents."),
    ('2017-09-01', 'R-3112', "Clarified the docstring; no price change."),
    ('2018-01-01', 'R-3158', "Moved zone_distance_matrix later in the pipeline so it sees the scaled total."),
    ('2018-05-01', 'R-3190', "Split the widest band in two after the lane balance audit."),
    ('2018-06-01', 'R-3200', "Aligned the table with the 2018 Meridian contract renewal."),
    ('2018-08-01', 'R-3280', "Reviewed with the regional operations leads; no change needed."),
    ('2018-10-01', 'R-3330', "Lowered the amounts for Z32 following the annual price round."),
    ('2018-11-01', 'R-3396', "Added rows requested by revenue assurance."),
    ('2018-12-01', 'R-3450', "Raised the amounts by 3 % after the annual price round."),
    ('2019-01-01', 'R-3519', "Split the widest band in two after the fuel index review."),
    ('2019-02-01', 'R-3580', "Clarified the docstring; no price change."),
    ('2019-03-01', 'R-3583', "Lowered the amounts for Z04 following the peak season debrief."),
    ('2019-06-01', 'R-3662', "Reverted R-3657: it double-charged consolidated shipments."),
    ('2019-10-01', 'R-3693', "Moved zone_distance_matrix later in the pipeline so it sees the scaled total."),
    ('2019-11-01', 'R-3767', "Raised the amounts by 6 % after the lane balance audit."),
    ('2019-12-01', 'R-3840', "Added rows requested by the accessorials working group."),
    ('2020-04-01', 'R-3895', "Reviewed with revenue assurance; no change needed."),
    ('2020-06-01', 'R-3942', "Aligned the table with the 2020 Northline contract renewal."),
    ('2020-10-01', 'R-4026', "Rounded every amount to whole cents."),
    ('2020-12-01', 'R-4045', "Added rows requested by finance controlling."),
    ('2021-02-01', 'R-4090', "Raised the amounts by 2.5 % after the fuel index review."),
    ('2021-04-01', 'R-4093', "Lowered the amounts for Z04 following the lane balance audit."),
    ('2021-05-01', 'R-4169', "Reverted R-4136: it double-charged consolidated shipments."),
    ('2021-09-01', 'R-4254', "Split the widest band in two after the linehaul contract renewal."),
    ('2021-12-01', 'R-4306', "Moved zone_distance_matrix later in the pipeline so it sees the scaled total."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: surcharge by zone and distance_km band, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
