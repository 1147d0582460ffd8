"""Stage 38: inside_delivery.

Charges the inside delivery, white glove and construction site accessorials.

Each accessorial code on the shipment that appears in ``ACCESSORIALS`` is charged
once, or once per piece when the entry says so, and never more than its cap.
Codes that are not in the table belong to other stages and are ignored here.

Maintained by the regional operations leads. Do not edit the table during a billing run; the next run picks it up.
"""

from freight.records import add_charge, require_fields

STAGE = 38
NAME = "inside_delivery"
EFFECTIVE_FROM = "2024-03-01"


# code: (fee in cents, charged per piece, cap in cents or None, description)
ACCESSORIALS = {
    'CON': (450, False, None, 'construction site delivery'),
    'DGL': (750, False, None, 'dangerous goods, limited quantity'),
    'DGF': (1075, False, None, 'dangerous goods, fully regulated'),
    'EXP': (165, True, 1485, 'export documentation prepared by the carrier'),
    'GRD': (425, False, None, 'ground floor only, no stairs'),
    'HAZ': (1200, False, None, 'hazardous materials, ground only'),
    'HLD': (130, True, 1300, 'hold at terminal for pickup'),
    'INS': (450, False, None, 'inside delivery past the threshold'),
    'LFP': (1025, False, None, 'liftgate required at pickup'),
    'OVW': (1400, False, None, 'overweight piece above 32 kg'),
    'PAL': (975, False, None, 'palletised freight'),
    'PRT': (150, False, None, 'protect from freezing'),
    'RDC': (205, True, 1640, 'redelivery after a failed first attempt'),
    'RES': (175, True, 875, 'residential address'),
    'RTN': (600, False, None, 'return to sender'),
    'SAT': (110, True, 990, 'Saturday delivery'),
    'SCH': (625, False, None, 'school or university campus'),
    'SGA': (900, False, None, 'adult signature required'),
    'SGN': (800, False, None, 'signature required'),
    'SRT': (900, False, None, 'manual sort, non-conveyable'),
    'SUN': (1150, False, None, 'Sunday delivery'),
    'WHG': (1475, False, None, 'white glove, unpack and place'),
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
    ('2017-05-01', 'R-4768', "Aligned the table with the 2017 Bayfreight contract renewal."),
    ('2017-08-01', 'R-4808', "Moved inside_delivery later in the pipeline so it sees the scaled total."),
    ('2017-10-01', 'R-4887', "Clarified the docstring; no price change."),
    ('2018-02-01', 'R-4939', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2018-05-01', 'R-5009', "Added rows requested by the regional operations leads."),
    ('2018-07-01', 'R-5020', "Split the widest band in two after the annual price round."),
    ('2018-11-01', 'R-5099', "Rounded every amount to whole cents."),
    ('2018-12-01', 'R-5123', "Raised the amounts by 3 % after the terminal cost study."),
    ('2019-01-01', 'R-5124', "Lowered the amounts for Z09 following the lane balance audit."),
    ('2019-05-01', 'R-5145', "Reverted R-5136: it double-charged consolidated shipments."),
    ('2019-06-01', 'R-5155', "Reviewed with the claims team; no change needed."),
    ('2019-10-01', 'R-5218', "Reverted R-5202: it double-charged consolidated shipments."),
    ('2020-01-01', 'R-5261', "Moved inside_delivery later in the pipeline so it sees the scaled total."),
    ('2020-02-01', 'R-5320', "Added rows requested by finance controlling."),
    ('2020-04-01', 'R-5386', "Raised the amounts by 6 % after the linehaul contract renewal."),
    ('2020-08-01', 'R-5406', "Lowered the amounts for Z26 following the peak season debrief."),
    ('2020-11-01', 'R-5469', "Split the widest band in two after the claims ratio review."),
    ('2021-01-01', 'R-5493', "Aligned the table with the 2021 Copperway contract renewal."),
    ('2021-04-01', 'R-5530', "Clarified the docstring; no price change."),
    ('2021-06-01', 'R-5551', "Rounded every amount to whole cents."),
    ('2021-10-01', 'R-5584', "Reverted R-5574: it double-charged consolidated shipments."),
    ('2021-12-01', 'R-5626', "Raised the amounts by 6 % after the linehaul contract renewal."),
    ('2022-02-01', 'R-5712', "Lowered the amounts for Z20 following the claims ratio review."),
    ('2022-03-01', 'R-5762', "Split the widest band in two after the peak season debrief."),
    ('2022-07-01', 'R-5834', "Moved inside_delivery later in the pipeline so it sees the scaled total."),
    ('2022-11-01', 'R-5887', "Aligned the table with the 2022 Tidemark contract renewal."),
    ('2022-12-01', 'R-5968', "Clarified the docstring; no price change."),
    ('2023-01-01', 'R-6000', "Reviewed with the customer contracts team; no change needed."),
    ('2023-03-01', 'R-6063', "Added rows requested by the network planning team."),
    ('2023-04-01', 'R-6123', "Rounded every amount to whole cents."),
    ('2023-07-01', 'R-6208', "Reverted R-6169: it double-charged consolidated shipments."),
    ('2023-11-01', 'R-6237', "Aligned the table with the 2023 Kestrel contract renewal."),
    ('2024-02-01', 'R-6266', "Reviewed with the customer contracts team; no change needed."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: 22 accessorial codes, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
