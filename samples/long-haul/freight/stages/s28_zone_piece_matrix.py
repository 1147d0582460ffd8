"""Stage 28: zone_piece_matrix.

Adds the delivery handling surcharge by destination zone and number of pieces.

The surcharge is looked up by destination zone and by the band of ``pieces``
(the number of pieces). Bands are inclusive of their upper limit; values above the last
band use the last column.

Maintained by the claims team. Every change must be announced to key accounts thirty days in advance.
"""

from freight.records import add_charge, require_fields

STAGE = 28
NAME = "zone_piece_matrix"
EFFECTIVE_FROM = "2022-05-01"

FIELD = "pieces"

# upper limit of each band, in pieces, inclusive
BANDS = (1, 3, 6, 12, 25, 50)

# surcharge in cents by zone, one column per band
MATRIX = {
    "Z01": (40, 130, 245, 335, 445, 540),
    "Z02": (15, 100, 220, 300, 345, 385),
    "Z03": (15, 105, 130, 170, 290, 365),
    "Z04": (21, 121, 201, 241, 291, 361),
    "Z05": (46, 141, 251, 306, 336, 371),
    "Z06": (36, 96, 101, 191, 246, 331),
    "Z07": (7, 127, 242, 272, 317, 412),
    "Z08": (16, 26, 61, 111, 181, 201),
    "Z09": (24, 59, 104, 144, 169, 269),
    "Z10": (17, 117, 232, 277, 322, 442),
    "Z11": (18, 118, 198, 228, 233, 253),
    "Z12": (38, 133, 178, 268, 278, 363),
    "Z13": (45, 130, 240, 270, 285, 320),
    "Z14": (0, 75, 155, 275, 375, 445),
    "Z15": (33, 53, 58, 68, 163, 263),
    "Z16": (26, 101, 156, 196, 201, 311),
    "Z17": (7, 92, 122, 182, 252, 287),
    "Z18": (22, 37, 117, 127, 237, 247),
    "Z19": (17, 57, 67, 132, 142, 247),
    "Z20": (42, 102, 207, 307, 362, 427),
    "Z21": (33, 63, 133, 218, 298, 368),
    "Z22": (9, 119, 134, 219, 339, 404),
    "Z23": (6, 21, 36, 76, 96, 206),
    "Z24": (4, 89, 104, 214, 289, 394),
    "Z25": (49, 139, 224, 309, 389, 479),
    "Z26": (20, 125, 180, 210, 275, 325),
    "Z27": (27, 122, 232, 347, 362, 377),
    "Z28": (7, 17, 117, 227, 312, 367),
    "Z29": (46, 156, 161, 216, 251, 351),
    "Z30": (56, 131, 236, 276, 336, 376),
    "Z31": (27, 87, 147, 257, 327, 337),
    "Z32": (40, 105, 120, 205, 310, 360),
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
    ('2018-01-01', 'R-3417', "Clarified the docstring; no price change."),
    ('2018-05-01', 'R-3482', "Split the widest band in two after the fuel index review."),
    ('2018-08-01', 'R-3543', "Aligned the table with the 2018 Kestrel contract renewal."),
    ('2018-10-01', 'R-3608', "Raised the amounts by 4 % after the fuel index review."),
    ('2019-02-01', 'R-3622', "Added rows requested by the linehaul pricing desk."),
    ('2019-05-01', 'R-3709', "Lowered the amounts for Z17 following the regulator's tariff notice."),
    ('2019-09-01', 'R-3727', "Reverted R-3712: it double-charged consolidated shipments."),
    ('2020-01-01', 'R-3741', "Rounded every amount to whole cents."),
    ('2020-05-01', 'R-3827', "Moved zone_piece_matrix later in the pipeline so it sees the scaled total."),
    ('2020-06-01', 'R-3872', "Reviewed with finance controlling; no change needed."),
    ('2020-09-01', 'R-3929', "Raised the amounts by 4 % after the linehaul contract renewal."),
    ('2020-11-01', 'R-3982', "Reviewed with revenue assurance; no change needed."),
    ('2020-12-01', 'R-3983', "Added rows requested by the customer contracts team."),
    ('2021-03-01', 'R-4007', "Split the widest band in two after the annual price round."),
    ('2021-04-01', 'R-4043', "Rounded every amount to whole cents."),
    ('2021-05-01', 'R-4102', "Clarified the docstring; no price change."),
    ('2021-09-01', 'R-4176', "Lowered the amounts for Z01 following the lane balance audit."),
    ('2021-11-01', 'R-4188', "Aligned the table with the 2021 Northline contract renewal."),
    ('2021-12-01', 'R-4193', "Moved zone_piece_matrix later in the pipeline so it sees the scaled total."),
    ('2022-04-01', 'R-4204', "Reverted R-4175: it double-charged consolidated shipments."),
    ('2022-07-01', 'R-4222', "Reverted R-4214: it double-charged consolidated shipments."),
    ('2022-08-01', 'R-4294', "Rounded every amount to whole cents."),
    ('2022-10-01', 'R-4304', "Aligned the table with the 2022 Meridian contract renewal."),
    ('2022-11-01', 'R-4306', "Lowered the amounts for Z17 following the annual price round."),
    ('2023-03-01', 'R-4314', "Split the widest band in two after the linehaul contract renewal."),
    ('2023-04-01', 'R-4373', "Reviewed with revenue assurance; no change needed."),
    ('2023-08-01', 'R-4443', "Clarified the docstring; no price change."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: surcharge by zone and pieces band, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
