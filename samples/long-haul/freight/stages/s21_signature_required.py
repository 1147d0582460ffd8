"""Stage 21: signature_required.

Charges the signature, notification and proof-of-delivery accessorials.

Each accessorial code on the shipment that appears in ``ACCESSORIALS`` is charged
once, or once per piece when the entry says so, and never more than its cap.
Codes that are not in the table belong to other stages and are ignored here.

Maintained by the customer contracts team. Amounts are whole cents; keep the table sorted so that reviews stay readable.
"""

from freight.records import add_charge, require_fields

STAGE = 21
NAME = "signature_required"
EFFECTIVE_FROM = "2023-10-01"


# code: (fee in cents, charged per piece, cap in cents or None, description)
ACCESSORIALS = {
    'CCH': (850, False, None, 'cold chain, 2 to 8 degrees Celsius'),
    'CFR': (900, False, None, 'frozen, below minus 18 degrees Celsius'),
    'DGL': (175, False, None, 'dangerous goods, limited quantity'),
    'DGF': (160, True, 1760, 'dangerous goods, fully regulated'),
    'EXP': (325, False, None, 'export documentation prepared by the carrier'),
    'GRD': (1500, False, None, 'ground floor only, no stairs'),
    'HLD': (1075, False, None, 'hold at terminal for pickup'),
    'INS': (170, True, 1360, 'inside delivery past the threshold'),
    'LFP': (825, False, None, 'liftgate required at pickup'),
    'LMT': (1325, False, None, 'limited access location'),
    'NTF': (205, True, 2255, 'notify consignee before delivery'),
    'OVS': (95, True, 855, 'oversize, longest side above 120 cm'),
    'OVW': (40, True, 280, 'overweight piece above 32 kg'),
    'PAL': (175, False, None, 'palletised freight'),
    'PRT': (140, True, 700, 'protect from freezing'),
    'RES': (175, False, None, 'residential address'),
    'SCH': (275, False, None, 'school or university campus'),
    'SEC': (45, True, 405, 'secure or high-value cage'),
    'SGN': (925, False, None, 'signature required'),
    'SRT': (1175, False, None, 'manual sort, non-conveyable'),
    'WHG': (220, True, 1320, 'white glove, unpack and place'),
    'WKD': (1125, False, None, 'weekend pickup'),
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
    ('2017-10-01', 'R-2411', "Reviewed with revenue assurance; no change needed."),
    ('2018-01-01', 'R-2471', "Lowered the amounts for Z12 following the claims ratio review."),
    ('2018-02-01', 'R-2488', "Reverted R-2486: it double-charged consolidated shipments."),
    ('2018-03-01', 'R-2561', "Moved signature_required later in the pipeline so it sees the scaled total."),
    ('2018-04-01', 'R-2631', "Split the widest band in two after the claims ratio review."),
    ('2018-05-01', 'R-2682', "Added rows requested by the claims team."),
    ('2018-06-01', 'R-2719', "Clarified the docstring; no price change."),
    ('2018-07-01', 'R-2754', "Rounded every amount to whole cents."),
    ('2018-08-01', 'R-2780', "Raised the amounts by 3 % after the fuel index review."),
    ('2018-09-01', 'R-2855', "Aligned the table with the 2018 Kestrel contract renewal."),
    ('2018-12-01', 'R-2927', "Clarified the docstring; no price change."),
    ('2019-02-01', 'R-2951', "Aligned the table with the 2019 Tidemark contract renewal."),
    ('2019-05-01', 'R-3040', "Raised the amounts by 3 % after the regulator's tariff notice."),
    ('2019-07-01', 'R-3055', "Moved signature_required later in the pipeline so it sees the scaled total."),
    ('2019-08-01', 'R-3102', "Split the widest band in two after the terminal cost study."),
    ('2019-10-01', 'R-3122', "Rounded every amount to whole cents."),
    ('2019-11-01', 'R-3187', "Reviewed with the customer contracts team; no change needed."),
    ('2020-03-01', 'R-3261', "Lowered the amounts for Z17 following the lane balance audit."),
    ('2020-04-01', 'R-3339', "Added rows requested by revenue assurance."),
    ('2020-05-01', 'R-3405', "Reverted R-3381: it double-charged consolidated shipments."),
    ('2020-08-01', 'R-3462', "Moved signature_required later in the pipeline so it sees the scaled total."),
    ('2020-10-01', 'R-3539', "Reverted R-3536: it double-charged consolidated shipments."),
    ('2021-01-01', 'R-3626', "Added rows requested by the claims team."),
    ('2021-04-01', 'R-3678', "Reviewed with finance controlling; no change needed."),
    ('2021-05-01', 'R-3757', "Rounded every amount to whole cents."),
    ('2021-08-01', 'R-3782', "Lowered the amounts for Z06 following the claims ratio review."),
    ('2021-12-01', 'R-3810', "Raised the amounts by 4 % after the claims ratio review."),
    ('2022-03-01', 'R-3896', "Split the widest band in two after the terminal cost study."),
    ('2022-05-01', 'R-3951', "Aligned the table with the 2022 Alderhaul contract renewal."),
    ('2022-09-01', 'R-3982', "Clarified the docstring; no price change."),
    ('2022-11-01', 'R-4007', "Raised the amounts by 6 % after the linehaul contract renewal."),
    ('2023-01-01', 'R-4084', "Split the widest band in two after the claims ratio review."),
    ('2023-04-01', 'R-4168', "Lowered the amounts for Z21 following the regulator's tariff notice."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: 22 accessorial codes, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
