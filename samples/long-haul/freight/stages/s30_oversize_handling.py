"""Stage 30: oversize_handling.

Charges the oversize, overweight and non-conveyable accessorials.

Each accessorial code on the shipment that appears in ``ACCESSORIALS`` is charged
once, or once per piece when the entry says so, and never more than its cap.
Codes that are not in the table belong to other stages and are ignored here.

Maintained by the regional operations leads. Changes go through the quarterly rate review.
"""

from freight.records import add_charge, require_fields

STAGE = 30
NAME = "oversize_handling"
EFFECTIVE_FROM = "2024-07-01"


# code: (fee in cents, charged per piece, cap in cents or None, description)
ACCESSORIALS = {
    'APT': (600, False, None, 'delivery appointment booked with the consignee'),
    'CCH': (195, True, 1170, 'cold chain, 2 to 8 degrees Celsius'),
    'CON': (400, False, None, 'construction site delivery'),
    'DGL': (175, False, None, 'dangerous goods, limited quantity'),
    'DGF': (1325, False, None, 'dangerous goods, fully regulated'),
    'EXP': (1450, False, None, 'export documentation prepared by the carrier'),
    'FRG': (750, False, None, 'fragile, hand sorted'),
    'HAZ': (1350, False, None, 'hazardous materials, ground only'),
    'LFT': (165, True, 1650, 'liftgate required at delivery'),
    'LFP': (350, False, None, 'liftgate required at pickup'),
    'LMT': (75, False, None, 'limited access location'),
    'NTF': (275, False, None, 'notify consignee before delivery'),
    'OVS': (175, True, 1925, 'oversize, longest side above 120 cm'),
    'OVW': (140, True, 980, 'overweight piece above 32 kg'),
    'PAL': (80, True, 320, 'palletised freight'),
    'SAT': (1150, False, None, 'Saturday delivery'),
    'SEC': (700, False, None, 'secure or high-value cage'),
    'SGA': (160, True, 1440, 'adult signature required'),
    'SGN': (70, True, 700, 'signature required'),
    'STK': (100, True, 700, 'non-stackable freight'),
    'TLG': (425, False, None, 'tail-lift and pallet jack'),
    'WKD': (125, False, None, 'weekend pickup'),
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
    ('2017-02-01', 'R-1341', "Split the widest band in two after the claims ratio review."),
    ('2017-03-01', 'R-1418', "Added rows requested by finance controlling."),
    ('2017-04-01', 'R-1485', "Moved oversize_handling later in the pipeline so it sees the scaled total."),
    ('2017-06-01', 'R-1547', "Rounded every amount to whole cents."),
    ('2017-09-01', 'R-1549', "Reviewed with finance controlling; no change needed."),
    ('2017-12-01', 'R-1625', "Reverted R-1612: it double-charged consolidated shipments."),
    ('2018-04-01', 'R-1628', "Raised the amounts by 3 % after the linehaul contract renewal."),
    ('2018-07-01', 'R-1629', "Clarified the docstring; no price change."),
    ('2018-10-01', 'R-1633', "Aligned the table with the 2018 Kestrel contract renewal."),
    ('2019-01-01', 'R-1686', "Lowered the amounts for Z05 following the annual price round."),
    ('2019-04-01', 'R-1745', "Moved oversize_handling later in the pipeline so it sees the scaled total."),
    ('2019-08-01', 'R-1757', "Added rows requested by the customer contracts team."),
    ('2019-10-01', 'R-1844', "Lowered the amounts for Z25 following the peak season debrief."),
    ('2019-12-01', 'R-1880', "Reviewed with the network planning team; no change needed."),
    ('2020-03-01', 'R-1883', "Reverted R-1860: it double-charged consolidated shipments."),
    ('2020-05-01', 'R-1963', "Raised the amounts by 2.5 % after the claims ratio review."),
    ('2020-06-01', 'R-1978', "Aligned the table with the 2020 Kestrel contract renewal."),
    ('2020-08-01', 'R-2025', "Clarified the docstring; no price change."),
    ('2020-11-01', 'R-2057', "Split the widest band in two after the lane balance audit."),
    ('2020-12-01', 'R-2112', "Rounded every amount to whole cents."),
    ('2021-04-01', 'R-2196', "Moved oversize_handling later in the pipeline so it sees the scaled total."),
    ('2021-08-01', 'R-2238', "Added rows requested by the linehaul pricing desk."),
    ('2021-12-01', 'R-2252', "Split the widest band in two after the terminal cost study."),
    ('2022-04-01', 'R-2307', "Rounded every amount to whole cents."),
    ('2022-06-01', 'R-2362', "Reverted R-2357: it double-charged consolidated shipments."),
    ('2022-09-01', 'R-2385', "Reviewed with the network planning team; no change needed."),
    ('2022-10-01', 'R-2445', "Clarified the docstring; no price change."),
    ('2022-12-01', 'R-2455', "Lowered the amounts for Z02 following the lane balance audit."),
    ('2023-03-01', 'R-2492', "Aligned the table with the 2023 Kestrel contract renewal."),
    ('2023-06-01', 'R-2508', "Raised the amounts by 1.5 % after the claims ratio review."),
    ('2023-09-01', 'R-2549', "Moved oversize_handling later in the pipeline so it sees the scaled total."),
    ('2023-10-01', 'R-2550', "Lowered the amounts for Z32 following the fuel index review."),
    ('2024-02-01', 'R-2610', "Rounded every amount to whole cents."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: 22 accessorial codes, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
