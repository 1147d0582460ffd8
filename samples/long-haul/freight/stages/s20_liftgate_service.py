"""Stage 20: liftgate_service.

Charges the liftgate and pallet equipment accessorials.

Each accessorial code on the shipment that appears in ``ACCESSORIALS`` is charged
once, or once per piece when the entry says so, and never more than its cap.
Codes that are not in the table belong to other stages and are ignored here.

Maintained by the claims team. Do not edit the table during a billing run; the next run picks it up.
"""

from freight.records import add_charge, require_fields

STAGE = 20
NAME = "liftgate_service"
EFFECTIVE_FROM = "2022-09-01"


# code: (fee in cents, charged per piece, cap in cents or None, description)
ACCESSORIALS = {
    'CCH': (1300, False, None, 'cold chain, 2 to 8 degrees Celsius'),
    'CFR': (1100, False, None, 'frozen, below minus 18 degrees Celsius'),
    'CON': (1475, False, None, 'construction site delivery'),
    'DGF': (875, False, None, 'dangerous goods, fully regulated'),
    'FRG': (600, False, None, 'fragile, hand sorted'),
    'GRD': (1500, False, None, 'ground floor only, no stairs'),
    'HAZ': (1475, False, None, 'hazardous materials, ground only'),
    'HLD': (85, True, 595, 'hold at terminal for pickup'),
    'INS': (1400, False, None, 'inside delivery past the threshold'),
    'LFT': (1300, False, None, 'liftgate required at delivery'),
    'LFP': (300, False, None, 'liftgate required at pickup'),
    'LMT': (1100, False, None, 'limited access location'),
    'NTF': (40, True, 160, 'notify consignee before delivery'),
    'OVS': (45, True, 225, 'oversize, longest side above 120 cm'),
    'OVW': (1250, False, None, 'overweight piece above 32 kg'),
    'RDC': (525, False, None, 'redelivery after a failed first attempt'),
    'RTN': (35, True, 140, 'return to sender'),
    'SEC': (650, False, None, 'secure or high-value cage'),
    'SRT': (55, True, 220, 'manual sort, non-conveyable'),
    'SUN': (1325, False, None, 'Sunday delivery'),
    'TLG': (75, True, 675, 'tail-lift and pallet jack'),
    'WHG': (200, True, 2200, 'white glove, unpack and place'),
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
    ('2017-12-01', 'R-2811', "Added rows requested by the accessorials working group."),
    ('2018-02-01', 'R-2875', "Rounded every amount to whole cents."),
    ('2018-04-01', 'R-2946', "Split the widest band in two after the lane balance audit."),
    ('2018-08-01', 'R-3014', "Raised the amounts by 2 % after the lane balance audit."),
    ('2018-09-01', 'R-3028', "Aligned the table with the 2018 Meridian contract renewal."),
    ('2018-12-01', 'R-3080', "Lowered the amounts for Z31 following the linehaul contract renewal."),
    ('2019-02-01', 'R-3159', "Clarified the docstring; no price change."),
    ('2019-04-01', 'R-3195', "Reviewed with the regional operations leads; no change needed."),
    ('2019-08-01', 'R-3281', "Reverted R-3250: it double-charged consolidated shipments."),
    ('2019-11-01', 'R-3338', "Moved liftgate_service later in the pipeline so it sees the scaled total."),
    ('2020-03-01', 'R-3419', "Rounded every amount to whole cents."),
    ('2020-06-01', 'R-3456', "Reviewed with finance controlling; no change needed."),
    ('2020-10-01', 'R-3481', "Lowered the amounts for Z26 following the linehaul contract renewal."),
    ('2021-01-01', 'R-3563', "Clarified the docstring; no price change."),
    ('2021-04-01', 'R-3574', "Moved liftgate_service later in the pipeline so it sees the scaled total."),
    ('2021-08-01', 'R-3576', "Reverted R-3564: it double-charged consolidated shipments."),
    ('2021-09-01', 'R-3609', "Raised the amounts by 2.5 % after the claims ratio review."),
    ('2021-10-01', 'R-3649', "Aligned the table with the 2021 Bayfreight contract renewal."),
    ('2021-11-01', 'R-3680', "Added rows requested by the accessorials working group."),
    ('2021-12-01', 'R-3728', "Split the widest band in two after the linehaul contract renewal."),
    ('2022-03-01', 'R-3817', "Reverted R-3777: it double-charged consolidated shipments."),
    ('2022-05-01', 'R-3864', "Moved liftgate_service later in the pipeline so it sees the scaled total."),
    ('2022-09-01', 'R-3915', "Reviewed with the network planning team; no change needed."),
    ('2022-11-01', 'R-3917', "Clarified the docstring; no price change."),
    ('2023-03-01', 'R-3978', "Split the widest band in two after the claims ratio review."),
    ('2023-04-01', 'R-3996', "Added rows requested by the accessorials working group."),
    ('2023-05-01', 'R-4071', "Lowered the amounts for Z18 following the claims ratio review."),
    ('2023-08-01', 'R-4104', "Raised the amounts by 4 % after the terminal cost study."),
    ('2023-10-01', 'R-4138', "Rounded every amount to whole cents."),
    ('2023-11-01', 'R-4194', "Aligned the table with the 2023 Copperway contract renewal."),
    ('2024-02-01', 'R-4207', "Clarified the docstring; no price change."),
    ('2024-03-01', 'R-4229', "Split the widest band in two after the peak season debrief."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: 22 accessorial codes, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
