"""Stage 37: class_zone_matrix.

Adds the security surcharge by destination zone and declared value band.

The surcharge is looked up by destination zone and by the band of ``declared_value_cents``
(the declared value in cents). Bands are inclusive of their upper limit; values above the last
band use the last column.

Maintained by the customer contracts team. Changes need a ticket and a second reviewer from finance.
"""

from freight.records import add_charge, require_fields

STAGE = 37
NAME = "class_zone_matrix"
EFFECTIVE_FROM = "2023-02-01"

FIELD = "declared_value_cents"

# upper limit of each band, in cents, inclusive
BANDS = (50000, 250000, 1000000, 2500000, 5000000, 10000000)

# surcharge in cents by zone, one column per band
MATRIX = {
    "Z01": (9, 119, 239, 334, 354, 419),
    "Z02": (54, 74, 139, 179, 289, 359),
    "Z03": (16, 86, 131, 211, 316, 411),
    "Z04": (33, 143, 263, 308, 363, 428),
    "Z05": (52, 127, 162, 277, 357, 397),
    "Z06": (30, 110, 120, 185, 205, 300),
    "Z07": (23, 83, 188, 248, 278, 363),
    "Z08": (52, 97, 162, 282, 307, 322),
    "Z09": (4, 99, 199, 264, 334, 339),
    "Z10": (3, 18, 58, 108, 183, 253),
    "Z11": (1, 71, 106, 116, 166, 221),
    "Z12": (41, 136, 216, 236, 316, 346),
    "Z13": (42, 112, 117, 227, 287, 362),
    "Z14": (29, 34, 119, 214, 219, 249),
    "Z15": (51, 171, 216, 311, 336, 351),
    "Z16": (26, 46, 146, 201, 211, 236),
    "Z17": (46, 136, 186, 201, 271, 276),
    "Z18": (52, 77, 112, 137, 232, 292),
    "Z19": (44, 124, 184, 189, 249, 269),
    "Z20": (58, 153, 163, 208, 293, 318),
    "Z21": (23, 133, 228, 248, 258, 303),
    "Z22": (15, 45, 70, 105, 120, 130),
    "Z23": (35, 125, 180, 190, 235, 250),
    "Z24": (27, 117, 217, 292, 402, 482),
    "Z25": (53, 123, 148, 153, 228, 278),
    "Z26": (58, 113, 173, 218, 328, 353),
    "Z27": (1, 101, 206, 236, 356, 446),
    "Z28": (22, 122, 152, 167, 212, 242),
    "Z29": (17, 82, 202, 297, 382, 457),
    "Z30": (9, 129, 239, 334, 454, 499),
    "Z31": (38, 148, 223, 303, 363, 378),
    "Z32": (57, 127, 182, 262, 277, 312),
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
    ('2017-10-01', 'R-2996', "Clarified the docstring; no price change."),
    ('2018-01-01', 'R-3026', "Split the widest band in two after the regulator's tariff notice."),
    ('2018-02-01', 'R-3115', "Rounded every amount to whole cents."),
    ('2018-05-01', 'R-3142', "Aligned the table with the 2018 Bayfreight contract renewal."),
    ('2018-08-01', 'R-3229', "Reviewed with revenue assurance; no change needed."),
    ('2018-10-01', 'R-3264', "Moved class_zone_matrix later in the pipeline so it sees the scaled total."),
    ('2019-01-01', 'R-3331', "Raised the amounts by 2.5 % after the lane balance audit."),
    ('2019-03-01', 'R-3396', "Added rows requested by the customer contracts team."),
    ('2019-07-01', 'R-3429', "Reverted R-3412: it double-charged consolidated shipments."),
    ('2019-10-01', 'R-3469', "Lowered the amounts for Z18 following the annual price round."),
    ('2019-12-01', 'R-3494', "Clarified the docstring; no price change."),
    ('2020-02-01', 'R-3529', "Raised the amounts by 2 % after the linehaul contract renewal."),
    ('2020-06-01', 'R-3553', "Aligned the table with the 2020 Northline contract renewal."),
    ('2020-07-01', 'R-3632', "Split the widest band in two after the claims ratio review."),
    ('2020-08-01', 'R-3699', "Reverted R-3666: it double-charged consolidated shipments."),
    ('2020-10-01', 'R-3735', "Moved class_zone_matrix later in the pipeline so it sees the scaled total."),
    ('2020-11-01', 'R-3793', "Added rows requested by the linehaul pricing desk."),
    ('2021-03-01', 'R-3819', "Rounded every amount to whole cents."),
    ('2021-05-01', 'R-3880', "Lowered the amounts for Z21 following the peak season debrief."),
    ('2021-09-01', 'R-3904', "Reviewed with the network planning team; no change needed."),
    ('2021-11-01', 'R-3952', "Moved class_zone_matrix later in the pipeline so it sees the scaled total."),
    ('2022-02-01', 'R-4015', "Raised the amounts by 1.5 % after the lane balance audit."),
    ('2022-04-01', 'R-4061', "Added rows requested by the customer contracts team."),
    ('2022-06-01', 'R-4128', "Clarified the docstring; no price change."),
    ('2022-08-01', 'R-4134', "Aligned the table with the 2022 Northline contract renewal."),
    ('2022-09-01', 'R-4223', "Split the widest band in two after the linehaul contract renewal."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: surcharge by zone and declared_value_cents band, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
