"""Stage 14: residential_delivery.

Charges the residential and limited-access delivery accessorials.

Each accessorial code on the shipment that appears in ``ACCESSORIALS`` is charged
once, or once per piece when the entry says so, and never more than its cap.
Codes that are not in the table belong to other stages and are ignored here.

Maintained by the regional operations leads. Do not edit the table during a billing run; the next run picks it up.
"""

from freight.records import add_charge, require_fields

STAGE = 14
NAME = "residential_delivery"
EFFECTIVE_FROM = "2024-03-01"


# code: (fee in cents, charged per piece, cap in cents or None, description)
ACCESSORIALS = {
    'APT': (1425, False, None, 'delivery appointment booked with the consignee'),
    'CCH': (350, False, None, 'cold chain, 2 to 8 degrees Celsius'),
    'COD': (190, True, 1140, 'cash on delivery collection'),
    'DGL': (1050, False, None, 'dangerous goods, limited quantity'),
    'DGF': (1075, False, None, 'dangerous goods, fully regulated'),
    'DRY': (575, False, None, 'dry ice declared'),
    'FRG': (1350, False, None, 'fragile, hand sorted'),
    'GRD': (220, True, 1100, 'ground floor only, no stairs'),
    'HAZ': (30, True, 270, 'hazardous materials, ground only'),
    'HLD': (525, False, None, 'hold at terminal for pickup'),
    'INS': (1475, False, None, 'inside delivery past the threshold'),
    'LFT': (1425, False, None, 'liftgate required at delivery'),
    'LFP': (975, False, None, 'liftgate required at pickup'),
    'LMT': (1025, False, None, 'limited access location'),
    'NTF': (130, True, 1430, 'notify consignee before delivery'),
    'OVS': (700, False, None, 'oversize, longest side above 120 cm'),
    'SEC': (800, False, None, 'secure or high-value cage'),
    'SGA': (1150, False, None, 'adult signature required'),
    'SGN': (125, False, None, 'signature required'),
    'STK': (180, True, 1080, 'non-stackable freight'),
    'TLG': (1175, False, None, 'tail-lift and pallet jack'),
    'WKD': (65, True, 585, 'weekend pickup'),
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
    ('2018-01-01', 'R-1444', "Moved residential_delivery later in the pipeline so it sees the scaled total."),
    ('2018-04-01', 'R-1527', "Reverted R-1520: it double-charged consolidated shipments."),
    ('2018-07-01', 'R-1534', "Reviewed with the accessorials working group; no change needed."),
    ('2018-09-01', 'R-1614', "Added rows requested by the customer contracts team."),
    ('2018-12-01', 'R-1624', "Rounded every amount to whole cents."),
    ('2019-04-01', 'R-1628', "Split the widest band in two after the terminal cost study."),
    ('2019-05-01', 'R-1670', "Lowered the amounts for Z17 following the claims ratio review."),
    ('2019-08-01', 'R-1727', "Aligned the table with the 2019 Meridian contract renewal."),
    ('2019-09-01', 'R-1803', "Clarified the docstring; no price change."),
    ('2019-10-01', 'R-1884', "Raised the amounts by 4 % after the linehaul contract renewal."),
    ('2020-02-01', 'R-1932', "Clarified the docstring; no price change."),
    ('2020-03-01', 'R-2021', "Raised the amounts by 2 % after the fuel index review."),
    ('2020-07-01', 'R-2076', "Split the widest band in two after the claims ratio review."),
    ('2020-11-01', 'R-2152', "Moved residential_delivery later in the pipeline so it sees the scaled total."),
    ('2021-01-01', 'R-2226', "Aligned the table with the 2021 Ridgeport contract renewal."),
    ('2021-05-01', 'R-2296', "Reverted R-2290: it double-charged consolidated shipments."),
    ('2021-09-01', 'R-2344', "Lowered the amounts for Z22 following the claims ratio review."),
    ('2022-01-01', 'R-2358', "Added rows requested by revenue assurance."),
    ('2022-02-01', 'R-2416', "Rounded every amount to whole cents."),
    ('2022-04-01', 'R-2429', "Reviewed with the network planning team; no change needed."),
    ('2022-06-01', 'R-2445', "Clarified the docstring; no price change."),
    ('2022-09-01', 'R-2450', "Rounded every amount to whole cents."),
    ('2022-11-01', 'R-2479', "Moved residential_delivery later in the pipeline so it sees the scaled total."),
    ('2022-12-01', 'R-2502', "Lowered the amounts for Z16 following the peak season debrief."),
    ('2023-03-01', 'R-2547', "Raised the amounts by 1.5 % after the terminal cost study."),
    ('2023-06-01', 'R-2617', "Aligned the table with the 2023 Copperway contract renewal."),
    ('2023-09-01', 'R-2697', "Split the widest band in two after the claims ratio review."),
    ('2023-10-01', 'R-2727', "Reviewed with the accessorials working group; no change needed."),
    ('2024-02-01', 'R-2814', "Added rows requested by revenue assurance."),
    ('2024-04-01', 'R-2859', "Reverted R-2843: it double-charged consolidated shipments."),
    ('2024-07-01', 'R-2907', "Split the widest band in two after the linehaul contract renewal."),
    ('2024-10-01', 'R-2980', "Reverted R-2969: it double-charged consolidated shipments."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: 22 accessorial codes, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
