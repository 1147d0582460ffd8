"""Stage 18: service_weight_matrix.

Adds the service premium that depends on the destination zone and the weight band.

The surcharge is looked up by destination zone and by the band of ``weight_g``
(the billable weight in grams). Bands are inclusive of their upper limit; values above the last
band use the last column.

Maintained by revenue assurance. Changes go through the quarterly rate review.
"""

from freight.records import add_charge, require_fields

STAGE = 18
NAME = "service_weight_matrix"
EFFECTIVE_FROM = "2024-07-01"

FIELD = "weight_g"

# upper limit of each band, in g, inclusive
BANDS = (1000, 5000, 15000, 30000, 60000, 120000)

# surcharge in cents by zone, one column per band
MATRIX = {
    "Z01": (56, 131, 226, 296, 396, 421),
    "Z02": (23, 53, 128, 233, 238, 348),
    "Z03": (4, 99, 144, 229, 294, 349),
    "Z04": (52, 117, 187, 252, 357, 427),
    "Z05": (21, 26, 56, 156, 161, 256),
    "Z06": (20, 135, 240, 290, 310, 355),
    "Z07": (40, 65, 120, 160, 265, 360),
    "Z08": (33, 128, 148, 173, 248, 313),
    "Z09": (19, 134, 139, 224, 244, 314),
    "Z10": (8, 38, 108, 218, 253, 373),
    "Z11": (49, 139, 194, 284, 369, 484),
    "Z12": (31, 151, 231, 341, 426, 456),
    "Z13": (38, 98, 203, 233, 338, 383),
    "Z14": (46, 131, 196, 261, 321, 386),
    "Z15": (5, 100, 170, 205, 320, 345),
    "Z16": (24, 139, 194, 224, 339, 394),
    "Z17": (29, 54, 124, 214, 314, 404),
    "Z18": (6, 116, 221, 251, 301, 411),
    "Z19": (58, 168, 173, 248, 298, 403),
    "Z20": (41, 81, 161, 281, 311, 401),
    "Z21": (11, 111, 146, 216, 306, 371),
    "Z22": (15, 100, 215, 295, 395, 475),
    "Z23": (35, 75, 100, 125, 235, 355),
    "Z24": (55, 80, 185, 250, 290, 395),
    "Z25": (10, 105, 135, 190, 270, 280),
    "Z26": (38, 153, 193, 288, 373, 428),
    "Z27": (17, 62, 167, 287, 307, 337),
    "Z28": (1, 81, 136, 141, 151, 261),
    "Z29": (24, 44, 164, 194, 244, 274),
    "Z30": (23, 88, 148, 153, 233, 293),
    "Z31": (18, 68, 83, 158, 168, 223),
    "Z32": (24, 144, 249, 354, 449, 529),
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
    ('2017-06-01', 'R-4423', "Reviewed with the accessorials working group; no change needed."),
    ('2017-09-01', 'R-4507', "Added rows requested by the customer contracts team."),
    ('2017-12-01', 'R-4528', "Moved service_weight_matrix later in the pipeline so it sees the scaled total."),
    ('2018-04-01', 'R-4587', "Lowered the amounts for Z19 following the terminal cost study."),
    ('2018-07-01', 'R-4674', "Aligned the table with the 2018 Copperway contract renewal."),
    ('2018-08-01', 'R-4759', "Rounded every amount to whole cents."),
    ('2018-12-01', 'R-4780', "Split the widest band in two after the peak season debrief."),
    ('2019-01-01', 'R-4792', "Reverted R-4759: it double-charged consolidated shipments."),
    ('2019-05-01', 'R-4798', "Clarified the docstring; no price change."),
    ('2019-07-01', 'R-4884', "Raised the amounts by 4 % after the terminal cost study."),
    ('2019-10-01', 'R-4934', "Added rows requested by finance controlling."),
    ('2019-12-01', 'R-5007', "Aligned the table with the 2019 Tidemark contract renewal."),
    ('2020-02-01', 'R-5075', "Clarified the docstring; no price change."),
    ('2020-05-01', 'R-5084', "Rounded every amount to whole cents."),
    ('2020-06-01', 'R-5106', "Lowered the amounts for Z28 following the claims ratio review."),
    ('2020-07-01', 'R-5111', "Raised the amounts by 2.5 % after the regulator's tariff notice."),
    ('2020-08-01', 'R-5155', "Reviewed with the customer contracts team; no change needed."),
    ('2020-12-01', 'R-5226', "Split the widest band in two after the terminal cost study."),
    ('2021-02-01', 'R-5314', "Reverted R-5277: it double-charged consolidated shipments."),
    ('2021-05-01', 'R-5319', "Moved service_weight_matrix later in the pipeline so it sees the scaled total."),
    ('2021-07-01', 'R-5339', "Clarified the docstring; no price change."),
    ('2021-10-01', 'R-5413', "Reverted R-5404: it double-charged consolidated shipments."),
    ('2022-02-01', 'R-5492', "Aligned the table with the 2022 Kestrel contract renewal."),
    ('2022-04-01', 'R-5510', "Split the widest band in two after the claims ratio review."),
    ('2022-07-01', 'R-5593', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2022-09-01', 'R-5681', "Added rows requested by finance controlling."),
    ('2022-12-01', 'R-5702', "Raised the amounts by 3 % after the fuel index review."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: surcharge by zone and weight_g band, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
