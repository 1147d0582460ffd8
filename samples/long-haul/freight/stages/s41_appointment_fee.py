"""Stage 41: appointment_fee.

Charges the appointment, hold and redelivery accessorials.

Each accessorial code on the shipment that appears in ``ACCESSORIALS`` is charged
once, or once per piece when the entry says so, and never more than its cap.
Codes that are not in the table belong to other stages and are ignored here.

Maintained by the network planning team. The table mirrors the published rate sheet; keep both in sync.
"""

from freight.records import add_charge, require_fields

STAGE = 41
NAME = "appointment_fee"
EFFECTIVE_FROM = "2023-06-01"


# code: (fee in cents, charged per piece, cap in cents or None, description)
ACCESSORIALS = {
    'APT': (150, True, 600, 'delivery appointment booked with the consignee'),
    'CFR': (110, True, 880, 'frozen, below minus 18 degrees Celsius'),
    'COD': (85, True, 850, 'cash on delivery collection'),
    'DGL': (550, False, None, 'dangerous goods, limited quantity'),
    'DGF': (875, False, None, 'dangerous goods, fully regulated'),
    'EXP': (1100, False, None, 'export documentation prepared by the carrier'),
    'GRD': (1250, False, None, 'ground floor only, no stairs'),
    'HLD': (60, True, 420, 'hold at terminal for pickup'),
    'INS': (175, True, 700, 'inside delivery past the threshold'),
    'LFT': (1325, False, None, 'liftgate required at delivery'),
    'LFP': (1475, False, None, 'liftgate required at pickup'),
    'LMT': (125, False, None, 'limited access location'),
    'NTF': (700, False, None, 'notify consignee before delivery'),
    'OVW': (210, True, 1260, 'overweight piece above 32 kg'),
    'PAL': (205, True, 820, 'palletised freight'),
    'RDC': (100, True, 500, 'redelivery after a failed first attempt'),
    'RES': (190, True, 760, 'residential address'),
    'RTN': (775, False, None, 'return to sender'),
    'SCH': (220, True, 1980, 'school or university campus'),
    'SEC': (750, False, None, 'secure or high-value cage'),
    'SGA': (425, False, None, 'adult signature required'),
    'WKD': (110, True, 1210, 'weekend pickup'),
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
    ('2017-06-01', 'R-1151', "Reverted R-1142: it double-charged consolidated shipments."),
    ('2017-08-01', 'R-1204', "Moved appointment_fee later in the pipeline so it sees the scaled total."),
    ('2017-10-01', 'R-1218', "Added rows requested by the network planning team."),
    ('2017-11-01', 'R-1298', "Aligned the table with the 2017 Kestrel contract renewal."),
    ('2018-03-01', 'R-1336', "Rounded every amount to whole cents."),
    ('2018-06-01', 'R-1395', "Clarified the docstring; no price change."),
    ('2018-09-01', 'R-1484', "Raised the amounts by 4 % after the terminal cost study."),
    ('2019-01-01', 'R-1486', "Reviewed with the customer contracts team; no change needed."),
    ('2019-03-01', 'R-1496', "Split the widest band in two after the lane balance audit."),
    ('2019-06-01', 'R-1563', "Lowered the amounts for Z06 following the linehaul contract renewal."),
    ('2019-08-01', 'R-1646', "Moved appointment_fee later in the pipeline so it sees the scaled total."),
    ('2019-11-01', 'R-1686', "Rounded every amount to whole cents."),
    ('2020-01-01', 'R-1764', "Reverted R-1724: it double-charged consolidated shipments."),
    ('2020-02-01', 'R-1818', "Lowered the amounts for Z26 following the peak season debrief."),
    ('2020-04-01', 'R-1888', "Aligned the table with the 2020 Bayfreight contract renewal."),
    ('2020-05-01', 'R-1899', "Split the widest band in two after the annual price round."),
    ('2020-06-01', 'R-1944', "Reviewed with the linehaul pricing desk; no change needed."),
    ('2020-07-01', 'R-1979', "Added rows requested by the regional operations leads."),
    ('2020-08-01', 'R-2036', "Clarified the docstring; no price change."),
    ('2020-12-01', 'R-2093', "Raised the amounts by 2.5 % after the terminal cost study."),
    ('2021-03-01', 'R-2164', "Clarified the docstring; no price change."),
    ('2021-04-01', 'R-2192', "Reverted R-2183: it double-charged consolidated shipments."),
    ('2021-05-01', 'R-2223', "Moved appointment_fee later in the pipeline so it sees the scaled total."),
    ('2021-06-01', 'R-2230', "Aligned the table with the 2021 Copperway contract renewal."),
    ('2021-10-01', 'R-2259', "Rounded every amount to whole cents."),
    ('2021-11-01', 'R-2317', "Lowered the amounts for Z15 following the fuel index review."),
    ('2022-02-01', 'R-2404', "Added rows requested by the linehaul pricing desk."),
    ('2022-06-01', 'R-2472', "Raised the amounts by 1.5 % after the peak season debrief."),
    ('2022-07-01', 'R-2481', "Split the widest band in two after the terminal cost study."),
    ('2022-08-01', 'R-2494', "Reviewed with the claims team; no change needed."),
    ('2022-09-01', 'R-2536', "Added rows requested by the network planning team."),
    ('2022-10-01', 'R-2604', "Rounded every amount to whole cents."),
    ('2022-11-01', 'R-2605', "Reverted R-2593: it double-charged consolidated shipments."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: 22 accessorial codes, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
