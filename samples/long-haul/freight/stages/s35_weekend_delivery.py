"""Stage 35: weekend_delivery.

Charges the Saturday, Sunday and weekend pickup accessorials.

Each accessorial code on the shipment that appears in ``ACCESSORIALS`` is charged
once, or once per piece when the entry says so, and never more than its cap.
Codes that are not in the table belong to other stages and are ignored here.

Maintained by the accessorials working group. The table mirrors the published rate sheet; keep both in sync.
"""

from freight.records import add_charge, require_fields

STAGE = 35
NAME = "weekend_delivery"
EFFECTIVE_FROM = "2025-12-01"


# code: (fee in cents, charged per piece, cap in cents or None, description)
ACCESSORIALS = {
    'APT': (75, True, 525, 'delivery appointment booked with the consignee'),
    'CFR': (1500, False, None, 'frozen, below minus 18 degrees Celsius'),
    'COD': (180, True, 720, 'cash on delivery collection'),
    'CON': (650, False, None, 'construction site delivery'),
    'DGL': (350, False, None, 'dangerous goods, limited quantity'),
    'DGF': (950, False, None, 'dangerous goods, fully regulated'),
    'DRY': (225, False, None, 'dry ice declared'),
    'EXP': (110, True, 440, 'export documentation prepared by the carrier'),
    'FRG': (825, False, None, 'fragile, hand sorted'),
    'HLD': (170, True, 850, 'hold at terminal for pickup'),
    'LFT': (120, True, 960, 'liftgate required at delivery'),
    'LFP': (195, True, 1365, 'liftgate required at pickup'),
    'LMT': (800, False, None, 'limited access location'),
    'NTF': (60, True, 360, 'notify consignee before delivery'),
    'PAL': (1500, False, None, 'palletised freight'),
    'RES': (1125, False, None, 'residential address'),
    'SAT': (1350, False, None, 'Saturday delivery'),
    'SEC': (75, False, None, 'secure or high-value cage'),
    'SGA': (900, False, None, 'adult signature required'),
    'SGN': (195, True, 2145, 'signature required'),
    'STK': (50, True, 300, 'non-stackable freight'),
    'TLG': (925, False, None, 'tail-lift and pallet jack'),
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
    ('2017-08-01', 'R-1957', "Clarified the docstring; no price change."),
    ('2017-12-01', 'R-1975', "Reviewed with the customer contracts team; no change needed."),
    ('2018-01-01', 'R-2041', "Added rows requested by the accessorials working group."),
    ('2018-02-01', 'R-2123', "Rounded every amount to whole cents."),
    ('2018-04-01', 'R-2185', "Split the widest band in two after the claims ratio review."),
    ('2018-05-01', 'R-2245', "Raised the amounts by 1.5 % after the regulator's tariff notice."),
    ('2018-08-01', 'R-2295', "Moved weekend_delivery later in the pipeline so it sees the scaled total."),
    ('2018-12-01', 'R-2321', "Reverted R-2314: it double-charged consolidated shipments."),
    ('2019-04-01', 'R-2376', "Aligned the table with the 2019 Northline contract renewal."),
    ('2019-08-01', 'R-2462', "Lowered the amounts for Z27 following the regulator's tariff notice."),
    ('2019-12-01', 'R-2502', "Raised the amounts by 6 % after the claims ratio review."),
    ('2020-03-01', 'R-2519', "Clarified the docstring; no price change."),
    ('2020-07-01', 'R-2602', "Reverted R-2575: it double-charged consolidated shipments."),
    ('2020-10-01', 'R-2656', "Rounded every amount to whole cents."),
    ('2020-11-01', 'R-2746', "Reviewed with finance controlling; no change needed."),
    ('2021-01-01', 'R-2778', "Moved weekend_delivery later in the pipeline so it sees the scaled total."),
    ('2021-04-01', 'R-2840', "Added rows requested by the regional operations leads."),
    ('2021-07-01', 'R-2846', "Lowered the amounts for Z03 following the linehaul contract renewal."),
    ('2021-08-01', 'R-2853', "Aligned the table with the 2021 Alderhaul contract renewal."),
    ('2021-12-01', 'R-2884', "Split the widest band in two after the claims ratio review."),
    ('2022-03-01', 'R-2892', "Split the widest band in two after the linehaul contract renewal."),
    ('2022-05-01', 'R-2901', "Rounded every amount to whole cents."),
    ('2022-08-01', 'R-2960', "Moved weekend_delivery later in the pipeline so it sees the scaled total."),
    ('2022-12-01', 'R-3046', "Reverted R-3020: it double-charged consolidated shipments."),
    ('2023-01-01', 'R-3108', "Lowered the amounts for Z14 following the linehaul contract renewal."),
    ('2023-04-01', 'R-3174', "Raised the amounts by 3 % after the claims ratio review."),
    ('2023-07-01', 'R-3237', "Clarified the docstring; no price change."),
    ('2023-10-01', 'R-3247', "Aligned the table with the 2023 Northline contract renewal."),
    ('2023-11-01', 'R-3311', "Added rows requested by the network planning team."),
    ('2023-12-01', 'R-3371', "Reviewed with the regional operations leads; no change needed."),
    ('2024-03-01', 'R-3458', "Reverted R-3423: it double-charged consolidated shipments."),
    ('2024-05-01', 'R-3488', "Split the widest band in two after the regulator's tariff notice."),
    ('2024-06-01', 'R-3503', "Lowered the amounts for Z10 following the lane balance audit."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: 22 accessorial codes, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
