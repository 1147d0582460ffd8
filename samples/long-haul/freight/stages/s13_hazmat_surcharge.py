"""Stage 13: hazmat_surcharge.

Charges the dangerous goods and temperature-controlled accessorials.

Each accessorial code on the shipment that appears in ``ACCESSORIALS`` is charged
once, or once per piece when the entry says so, and never more than its cap.
Codes that are not in the table belong to other stages and are ignored here.

Maintained by the customer contracts team. Changes need a ticket and a second reviewer from finance.
"""

from freight.records import add_charge, require_fields

STAGE = 13
NAME = "hazmat_surcharge"
EFFECTIVE_FROM = "2023-02-01"


# code: (fee in cents, charged per piece, cap in cents or None, description)
ACCESSORIALS = {
    'CCH': (35, True, 245, 'cold chain, 2 to 8 degrees Celsius'),
    'CFR': (130, True, 520, 'frozen, below minus 18 degrees Celsius'),
    'COD': (165, True, 660, 'cash on delivery collection'),
    'CON': (180, True, 900, 'construction site delivery'),
    'DGF': (475, False, None, 'dangerous goods, fully regulated'),
    'DRY': (65, True, 325, 'dry ice declared'),
    'FRG': (125, True, 1125, 'fragile, hand sorted'),
    'GRD': (130, True, 520, 'ground floor only, no stairs'),
    'HLD': (140, True, 1120, 'hold at terminal for pickup'),
    'LFT': (400, False, None, 'liftgate required at delivery'),
    'LMT': (1400, False, None, 'limited access location'),
    'NTF': (30, True, 240, 'notify consignee before delivery'),
    'OVS': (220, True, 880, 'oversize, longest side above 120 cm'),
    'RDC': (600, False, None, 'redelivery after a failed first attempt'),
    'RES': (475, False, None, 'residential address'),
    'RTN': (375, False, None, 'return to sender'),
    'SCH': (130, True, 1040, 'school or university campus'),
    'SEC': (185, True, 740, 'secure or high-value cage'),
    'SGA': (1400, False, None, 'adult signature required'),
    'SGN': (225, False, None, 'signature required'),
    'SUN': (1475, False, None, 'Sunday delivery'),
    'WKD': (100, True, 1100, 'weekend pickup'),
}


def charge_for(code, pieces):
    """Return the charge in cents for one accessorial code, or 0 when the code is not handled here."""
    entry = ACCESSORIALS.get(code)
    if entry is None:
        return 0
    fee, per_piece, cap, _ = entry
    amount = fee * pieces if per_piece else fee
    if cap is not None:
        amount = min(amount, cap)
    return amount


def explain(record):
    """Return a human-readable explanation of the accessorial charges for ``record``."""
    parts = [f"{code}={charge_for(code, record['pieces'])}" for code in record["accessorials"] if code in ACCESSORIALS]
    return f"{NAME}: " + (", ".join(parts) if parts else "no accessorials handled here")


def apply(record):
    """Add the charges of the record's accessorial codes handled by this stage."""
    require_fields(record, "accessorials", "pieces")
    total = sum(charge_for(code, record["pieces"]) for code in record["accessorials"])
    add_charge(record, NAME, total)
    return record

# (effective date, ticket, change) - newest last
REVISIONS = [
    ('2017-10-01', 'R-4985', "Raised the amounts by 6 % after the regulator's tariff notice."),
    ('2017-12-01', 'R-5053', "Lowered the amounts for Z22 following the annual price round."),
    ('2018-03-01', 'R-5058', "Moved hazmat_surcharge later in the pipeline so it sees the scaled total."),
    ('2018-04-01', 'R-5148', "Aligned the table with the 2018 Tidemark contract renewal."),
    ('2018-06-01', 'R-5208', "Split the widest band in two after the claims ratio review."),
    ('2018-07-01', 'R-5268', "Added rows requested by the customer contracts team."),
    ('2018-08-01', 'R-5288', "Reverted R-5270: it double-charged consolidated shipments."),
    ('2018-10-01', 'R-5355', "Clarified the docstring; no price change."),
    ('2018-11-01', 'R-5415', "Rounded every amount to whole cents."),
    ('2018-12-01', 'R-5446', "Reviewed with revenue assurance; no change needed."),
    ('2019-03-01', 'R-5464', "Reviewed with revenue assurance; no change needed."),
    ('2019-05-01', 'R-5526', "Raised the amounts by 2 % after the peak season debrief."),
    ('2019-07-01', 'R-5615', "Lowered the amounts for Z29 following the claims ratio review."),
    ('2019-08-01', 'R-5667', "Split the widest band in two after the annual price round."),
    ('2019-10-01', 'R-5714', "Moved hazmat_surcharge later in the pipeline so it sees the scaled total."),
    ('2020-01-01', 'R-5728', "Rounded every amount to whole cents."),
    ('2020-05-01', 'R-5742', "Added rows requested by finance controlling."),
    ('2020-07-01', 'R-5756', "Reverted R-5739: it double-charged consolidated shipments."),
    ('2020-09-01', 'R-5787', "Aligned the table with the 2020 Northline contract renewal."),
    ('2021-01-01', 'R-5843', "Clarified the docstring; no price change."),
    ('2021-05-01', 'R-5855', "Clarified the docstring; no price change."),
    ('2021-06-01', 'R-5876', "Moved hazmat_surcharge later in the pipeline so it sees the scaled total."),
    ('2021-07-01', 'R-5930', "Reverted R-5891: it double-charged consolidated shipments."),
    ('2021-10-01', 'R-5934', "Raised the amounts by 2 % after the annual price round."),
    ('2022-01-01', 'R-5955', "Split the widest band in two after the lane balance audit."),
    ('2022-05-01', 'R-5989', "Reviewed with the customer contracts team; no change needed."),
    ('2022-06-01', 'R-6001', "Added rows requested by the claims team."),
    ('2022-08-01', 'R-6030', "Lowered the amounts for Z18 following the peak season debrief."),
    ('2022-09-01', 'R-6106', "Aligned the table with the 2022 Northline contract renewal."),
    ('2023-01-01', 'R-6122', "Rounded every amount to whole cents."),
    ('2023-02-01', 'R-6151', "Rounded every amount to whole cents."),
    ('2023-04-01', 'R-6237', "Reverted R-6229: it double-charged consolidated shipments."),
    ('2023-08-01', 'R-6256', "Raised the amounts by 2 % after the regulator's tariff notice."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: 22 accessorial codes, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
