"""Stage 12: fragile_handling.

Charges the fragile and special-handling accessorials.

Each accessorial code on the shipment that appears in ``ACCESSORIALS`` is charged
once, or once per piece when the entry says so, and never more than its cap.
Codes that are not in the table belong to other stages and are ignored here.

Maintained by the claims team. Changes go through the quarterly rate review.
"""

from freight.records import add_charge, require_fields

STAGE = 12
NAME = "fragile_handling"
EFFECTIVE_FROM = "2022-01-01"


# code: (fee in cents, charged per piece, cap in cents or None, description)
ACCESSORIALS = {
    'APT': (180, True, 1440, 'delivery appointment booked with the consignee'),
    'COD': (175, True, 875, 'cash on delivery collection'),
    'DGL': (1250, False, None, 'dangerous goods, limited quantity'),
    'DRY': (625, False, None, 'dry ice declared'),
    'GRD': (425, False, None, 'ground floor only, no stairs'),
    'HLD': (1400, False, None, 'hold at terminal for pickup'),
    'LMT': (950, False, None, 'limited access location'),
    'NTF': (1425, False, None, 'notify consignee before delivery'),
    'OVS': (1300, False, None, 'oversize, longest side above 120 cm'),
    'PRT': (1125, False, None, 'protect from freezing'),
    'RDC': (725, False, None, 'redelivery after a failed first attempt'),
    'RES': (1325, False, None, 'residential address'),
    'RTN': (30, True, 300, 'return to sender'),
    'SAT': (75, False, None, 'Saturday delivery'),
    'SCH': (185, True, 1665, 'school or university campus'),
    'SEC': (70, True, 560, 'secure or high-value cage'),
    'SGA': (1375, False, None, 'adult signature required'),
    'SGN': (700, False, None, 'signature required'),
    'SUN': (115, True, 690, 'Sunday delivery'),
    'TLG': (300, False, None, 'tail-lift and pallet jack'),
    'WHG': (525, False, None, 'white glove, unpack and place'),
    'WKD': (475, False, None, 'weekend pickup'),
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
    ('2017-09-01', 'R-1888', "Aligned the table with the 2017 Kestrel contract renewal."),
    ('2017-11-01', 'R-1929', "Split the widest band in two after the peak season debrief."),
    ('2017-12-01', 'R-1977', "Added rows requested by revenue assurance."),
    ('2018-02-01', 'R-2004', "Lowered the amounts for Z29 following the regulator's tariff notice."),
    ('2018-05-01', 'R-2040', "Raised the amounts by 6 % after the fuel index review."),
    ('2018-07-01', 'R-2082', "Reviewed with the claims team; no change needed."),
    ('2018-09-01', 'R-2131', "Moved fragile_handling later in the pipeline so it sees the scaled total."),
    ('2018-12-01', 'R-2168', "Reverted R-2145: it double-charged consolidated shipments."),
    ('2019-02-01', 'R-2233', "Clarified the docstring; no price change."),
    ('2019-03-01', 'R-2260', "Rounded every amount to whole cents."),
    ('2019-04-01', 'R-2279', "Added rows requested by revenue assurance."),
    ('2019-06-01', 'R-2284', "Rounded every amount to whole cents."),
    ('2019-09-01', 'R-2365', "Moved fragile_handling later in the pipeline so it sees the scaled total."),
    ('2019-11-01', 'R-2395', "Clarified the docstring; no price change."),
    ('2020-03-01', 'R-2405', "Split the widest band in two after the regulator's tariff notice."),
    ('2020-06-01', 'R-2433', "Raised the amounts by 4 % after the annual price round."),
    ('2020-10-01', 'R-2501', "Reviewed with finance controlling; no change needed."),
    ('2020-11-01', 'R-2536', "Aligned the table with the 2020 Northline contract renewal."),
    ('2021-02-01', 'R-2553', "Reverted R-2527: it double-charged consolidated shipments."),
    ('2021-05-01', 'R-2559', "Lowered the amounts for Z17 following the linehaul contract renewal."),
    ('2021-07-01', 'R-2613', "Added rows requested by finance controlling."),
    ('2021-08-01', 'R-2673', "Moved fragile_handling later in the pipeline so it sees the scaled total."),
    ('2021-09-01', 'R-2723', "Raised the amounts by 6 % after the linehaul contract renewal."),
    ('2022-01-01', 'R-2804', "Aligned the table with the 2022 Copperway contract renewal."),
    ('2022-02-01', 'R-2811', "Split the widest band in two after the peak season debrief."),
    ('2022-03-01', 'R-2886', "Lowered the amounts for Z19 following the peak season debrief."),
    ('2022-07-01', 'R-2953', "Reverted R-2931: it double-charged consolidated shipments."),
    ('2022-10-01', 'R-3021', "Clarified the docstring; no price change."),
    ('2022-11-01', 'R-3025', "Reviewed with revenue assurance; no change needed."),
    ('2023-01-01', 'R-3082', "Rounded every amount to whole cents."),
    ('2023-02-01', 'R-3145', "Reverted R-3129: it double-charged consolidated shipments."),
    ('2023-04-01', 'R-3197', "Aligned the table with the 2023 Alderhaul contract renewal."),
    ('2023-06-01', 'R-3200', "Added rows requested by the regional operations leads."),
    ('2023-09-01', 'R-3286', "Lowered the amounts for Z29 following the peak season debrief."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: 22 accessorial codes, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
