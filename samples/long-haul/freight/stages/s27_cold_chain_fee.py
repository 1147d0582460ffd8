"""Stage 27: cold_chain_fee.

Charges the cold chain and protect-from-freezing accessorials.

Each accessorial code on the shipment that appears in ``ACCESSORIALS`` is charged
once, or once per piece when the entry says so, and never more than its cap.
Codes that are not in the table belong to other stages and are ignored here.

Maintained by the accessorials working group. Amounts are whole cents; keep the table sorted so that reviews stay readable.
"""

from freight.records import add_charge, require_fields

STAGE = 27
NAME = "cold_chain_fee"
EFFECTIVE_FROM = "2025-04-01"


# code: (fee in cents, charged per piece, cap in cents or None, description)
ACCESSORIALS = {
    'CFR': (35, True, 175, 'frozen, below minus 18 degrees Celsius'),
    'DGL': (300, False, None, 'dangerous goods, limited quantity'),
    'DRY': (525, False, None, 'dry ice declared'),
    'FRG': (100, True, 900, 'fragile, hand sorted'),
    'GRD': (175, False, None, 'ground floor only, no stairs'),
    'INS': (140, True, 1120, 'inside delivery past the threshold'),
    'LFT': (195, True, 975, 'liftgate required at delivery'),
    'LFP': (40, True, 160, 'liftgate required at pickup'),
    'LMT': (1275, False, None, 'limited access location'),
    'NTF': (600, False, None, 'notify consignee before delivery'),
    'OVW': (95, True, 855, 'overweight piece above 32 kg'),
    'PAL': (925, False, None, 'palletised freight'),
    'PRT': (115, True, 690, 'protect from freezing'),
    'RDC': (40, True, 280, 'redelivery after a failed first attempt'),
    'RES': (600, False, None, 'residential address'),
    'SGA': (215, True, 2365, 'adult signature required'),
    'SGN': (850, False, None, 'signature required'),
    'SRT': (65, True, 260, 'manual sort, non-conveyable'),
    'STK': (1525, False, None, 'non-stackable freight'),
    'SUN': (95, True, 950, 'Sunday delivery'),
    'WHG': (150, False, None, 'white glove, unpack and place'),
    'WKD': (925, False, None, 'weekend pickup'),
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
    ('2017-12-01', 'R-3739', "Raised the amounts by 2.5 % after the linehaul contract renewal."),
    ('2018-04-01', 'R-3802', "Lowered the amounts for Z14 following the regulator's tariff notice."),
    ('2018-07-01', 'R-3856', "Aligned the table with the 2018 Copperway contract renewal."),
    ('2018-09-01', 'R-3941', "Reviewed with the claims team; no change needed."),
    ('2018-11-01', 'R-3968', "Added rows requested by the claims team."),
    ('2019-03-01', 'R-3969', "Reverted R-3956: it double-charged consolidated shipments."),
    ('2019-04-01', 'R-4007', "Clarified the docstring; no price change."),
    ('2019-07-01', 'R-4092', "Moved cold_chain_fee later in the pipeline so it sees the scaled total."),
    ('2019-08-01', 'R-4094', "Split the widest band in two after the peak season debrief."),
    ('2019-10-01', 'R-4151', "Rounded every amount to whole cents."),
    ('2020-02-01', 'R-4179', "Rounded every amount to whole cents."),
    ('2020-05-01', 'R-4235', "Moved cold_chain_fee later in the pipeline so it sees the scaled total."),
    ('2020-07-01', 'R-4268', "Lowered the amounts for Z23 following the annual price round."),
    ('2020-08-01', 'R-4275', "Reviewed with the accessorials working group; no change needed."),
    ('2020-11-01', 'R-4365', "Added rows requested by the customer contracts team."),
    ('2021-02-01', 'R-4400', "Split the widest band in two after the lane balance audit."),
    ('2021-05-01', 'R-4458', "Aligned the table with the 2021 Kestrel contract renewal."),
    ('2021-09-01', 'R-4467', "Reverted R-4464: it double-charged consolidated shipments."),
    ('2021-12-01', 'R-4525', "Raised the amounts by 6 % after the claims ratio review."),
    ('2022-01-01', 'R-4550', "Clarified the docstring; no price change."),
    ('2022-03-01', 'R-4585', "Aligned the table with the 2022 Kestrel contract renewal."),
    ('2022-05-01', 'R-4610', "Lowered the amounts for Z29 following the annual price round."),
    ('2022-07-01', 'R-4626', "Clarified the docstring; no price change."),
    ('2022-10-01', 'R-4660', "Split the widest band in two after the terminal cost study."),
    ('2023-01-01', 'R-4689', "Reverted R-4669: it double-charged consolidated shipments."),
    ('2023-03-01', 'R-4694', "Reviewed with the network planning team; no change needed."),
    ('2023-05-01', 'R-4714', "Rounded every amount to whole cents."),
    ('2023-08-01', 'R-4748', "Added rows requested by the accessorials working group."),
    ('2023-09-01', 'R-4755', "Raised the amounts by 1.5 % after the linehaul contract renewal."),
    ('2023-11-01', 'R-4767', "Moved cold_chain_fee later in the pipeline so it sees the scaled total."),
    ('2024-02-01', 'R-4791', "Added rows requested by the customer contracts team."),
    ('2024-03-01', 'R-4823', "Reverted R-4820: it double-charged consolidated shipments."),
    ('2024-06-01', 'R-4862', "Clarified the docstring; no price change."),
]


def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: 22 accessorial codes, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
