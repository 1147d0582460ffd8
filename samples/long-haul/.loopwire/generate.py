#!/usr/bin/env python3
"""Generates the long-haul sample: a freight billing pipeline of 60 rule stages.

Deterministic (fixed seed, no hashing of strings, no clock): running it twice produces
byte-identical files. It lives under .loopwire/ so that the agent's workspace copy does not
contain it (it names the bug).

    python3 samples/long-haul/.loopwire/generate.py

Steps:
1. Write the correct package, the README and the fixtures.
2. Import the correct package and compute the expected values of the tests.
3. Write the tests and check that they pass on the correct code.
4. Inject the bug into one stage and check that the tests now fail.
5. Write .loopwire/scenario.json, a script that reads every file and fixes the bug.

Every stage file is sized to about TARGET_TOKENS o200k tokens (estimated here, checked
exactly by the .NET test suite).
"""

import json
import os
import random
import re
import shutil
import string
import subprocess
import sys
import textwrap

sys.dont_write_bytecode = True

SEED = 20251126
TARGET_TOKENS = 1800
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)  # samples/long-haul
BUG_STAGE = "remote_area_distance"
TEST_COMMAND = ["python3", "-m", "unittest", "discover", "-s", "tests", "-t", "."]

SERVICES = ("economy", "standard", "express", "overnight")
CLASSES = ("retail", "business", "partner")
ZONES = tuple(f"Z{i:02d}" for i in range(1, 33))

ACCESSORIAL_CODES = [
    ("APT", "delivery appointment booked with the consignee"),
    ("CCH", "cold chain, 2 to 8 degrees Celsius"),
    ("CFR", "frozen, below minus 18 degrees Celsius"),
    ("COD", "cash on delivery collection"),
    ("CON", "construction site delivery"),
    ("DGL", "dangerous goods, limited quantity"),
    ("DGF", "dangerous goods, fully regulated"),
    ("DRY", "dry ice declared"),
    ("EXP", "export documentation prepared by the carrier"),
    ("FRG", "fragile, hand sorted"),
    ("GRD", "ground floor only, no stairs"),
    ("HAZ", "hazardous materials, ground only"),
    ("HLD", "hold at terminal for pickup"),
    ("INS", "inside delivery past the threshold"),
    ("LFT", "liftgate required at delivery"),
    ("LFP", "liftgate required at pickup"),
    ("LMT", "limited access location"),
    ("NTF", "notify consignee before delivery"),
    ("OVS", "oversize, longest side above 120 cm"),
    ("OVW", "overweight piece above 32 kg"),
    ("PAL", "palletised freight"),
    ("PRT", "protect from freezing"),
    ("RDC", "redelivery after a failed first attempt"),
    ("RES", "residential address"),
    ("RTN", "return to sender"),
    ("SAT", "Saturday delivery"),
    ("SCH", "school or university campus"),
    ("SEC", "secure or high-value cage"),
    ("SGA", "adult signature required"),
    ("SGN", "signature required"),
    ("SRT", "manual sort, non-conveyable"),
    ("STK", "non-stackable freight"),
    ("SUN", "Sunday delivery"),
    ("TLG", "tail-lift and pallet jack"),
    ("WHG", "white glove, unpack and place"),
    ("WKD", "weekend pickup"),
]

TEAMS = [
    "the linehaul pricing desk",
    "the network planning team",
    "revenue assurance",
    "the accessorials working group",
    "the claims team",
    "the customer contracts team",
    "the regional operations leads",
    "finance controlling",
]

MAINTENANCE = [
    "changes go through the quarterly rate review.",
    "changes need a ticket and a second reviewer from finance.",
    "do not edit the table during a billing run; the next run picks it up.",
    "amounts are whole cents; keep the table sorted so that reviews stay readable.",
    "every change must be announced to key accounts thirty days in advance.",
    "the table mirrors the published rate sheet; keep both in sync.",
]

PARTNERS = ["Northline", "Bayfreight", "Copperway", "Tidemark", "Ridgeport", "Alderhaul", "Kestrel", "Meridian"]
EVENTS = [
    "fuel index review",
    "linehaul contract renewal",
    "lane balance audit",
    "peak season debrief",
    "claims ratio review",
    "terminal cost study",
    "annual price round",
    "regulator's tariff notice",
]

# (name, kind, field, purpose). The order is the pipeline order.
STAGES = [
    ("base_weight_rate", "tier", "weight_g", "Charges the base transport rate from the billable weight. It is the first charge every shipment receives."),
    ("distance_band", "tier", "distance_km", "Adds the distance component of the base rate, measured from the origin terminal to the destination terminal."),
    ("linehaul_weight_break", "tier", "weight_g", "Adds the linehaul charge for the trunk leg between hubs, which grows with weight in breaks agreed with the linehaul carriers."),
    ("zone_multiplier", "zone_rate", None, "Scales the running total by the destination zone's cost factor for the chosen service."),
    ("zone_distance_matrix", "matrix", "distance_km", "Adds the delivery surcharge that depends on both the destination zone and the distance band."),
    ("service_zone_factor", "zone_rate", None, "Applies the service-level factor per zone: express and overnight cost more where the network is thin."),
    ("multi_piece_handling", "tier", "pieces", "Charges handling for shipments with several pieces, which need extra scans and sortation passes."),
    ("dimensional_weight_fee", "tier", "weight_g", "Adds the dimensional weight fee. The weight passed in is already the greater of actual and volumetric weight."),
    ("fuel_distance_band", "tier", "distance_km", "Adds the fuel surcharge by distance band, recalculated monthly from the diesel index."),
    ("fuel_index_factor", "zone_rate", None, "Applies the monthly fuel index factor per zone to the running total."),
    ("insurance_band", "tier", "declared_value_cents", "Charges the basic insurance premium from the declared value of the goods."),
    ("fragile_handling", "flag", None, "Charges the fragile and special-handling accessorials."),
    ("hazmat_surcharge", "flag", None, "Charges the dangerous goods and temperature-controlled accessorials."),
    ("residential_delivery", "flag", None, "Charges the residential and limited-access delivery accessorials."),
    ("heavy_parcel_band", "tier", "weight_g", "Adds the heavy parcel surcharge for shipments that need two-person handling or equipment."),
    ("long_haul_distance", "tier", "distance_km", "Adds the long-haul surcharge for lanes beyond the regional network."),
    ("piece_count_band", "tier", "pieces", "Charges the per-shipment label and scan fee, banded by the number of pieces."),
    ("service_weight_matrix", "matrix", "weight_g", "Adds the service premium that depends on the destination zone and the weight band."),
    ("high_value_handling", "tier", "declared_value_cents", "Adds secure handling for high-value goods: caged storage, sealed containers and extra scans."),
    ("liftgate_service", "flag", None, "Charges the liftgate and pallet equipment accessorials."),
    ("signature_required", "flag", None, "Charges the signature, notification and proof-of-delivery accessorials."),
    ("peak_zone_factor", "zone_rate", None, "Applies the peak season factor per zone and service."),
    ("pallet_weight_band", "tier", "weight_g", "Adds the pallet handling fee for palletised freight, banded by weight."),
    ("rural_delivery_band", "tier", "distance_km", "Adds the rural delivery surcharge for the last-mile distance outside the metro areas."),
    ("sortation_piece_fee", "tier", "pieces", "Charges the sortation fee for the pieces that go through the hub sorters."),
    ("liability_cover", "tier", "declared_value_cents", "Charges the extended liability cover above the carrier's statutory limit."),
    ("cold_chain_fee", "flag", None, "Charges the cold chain and protect-from-freezing accessorials."),
    ("zone_piece_matrix", "matrix", "pieces", "Adds the delivery handling surcharge by destination zone and number of pieces."),
    ("carrier_zone_factor", "zone_rate", None, "Applies the partner carrier factor for zones served by subcontracted carriers."),
    ("oversize_handling", "flag", None, "Charges the oversize, overweight and non-conveyable accessorials."),
    ("overweight_piece_fee", "tier", "weight_g", "Adds the overweight fee for shipments whose weight exceeds the conveyor limits."),
    ("ferry_crossing_band", "tier", "distance_km", "Adds the ferry and bridge toll component for lanes that cross water."),
    ("label_piece_fee", "tier", "pieces", "Charges the label printing fee per band of pieces."),
    ("customs_value_band", "tier", "declared_value_cents", "Charges the customs brokerage fee from the declared value."),
    ("weekend_delivery", "flag", None, "Charges the Saturday, Sunday and weekend pickup accessorials."),
    ("lane_balance_factor", "zone_rate", None, "Applies the lane balance factor that discounts backhaul zones and charges for headhaul zones."),
    ("class_zone_matrix", "matrix", "declared_value_cents", "Adds the security surcharge by destination zone and declared value band."),
    ("inside_delivery", "flag", None, "Charges the inside delivery, white glove and construction site accessorials."),
    ("consolidation_band", "tier", "pieces", "Charges the consolidation fee for shipments merged at the origin terminal."),
    ("valuation_reserve", "tier", "declared_value_cents", "Adds the valuation reserve that funds claims on declared values."),
    ("appointment_fee", "flag", None, "Charges the appointment, hold and redelivery accessorials."),
    ("currency_zone_factor", "zone_rate", None, "Applies the currency adjustment factor for zones billed through foreign subsidiaries."),
    ("manifest_line_fee", "tier", "pieces", "Charges the manifest fee per band of lines on the carrier manifest."),
    ("audit_value_band", "tier", "declared_value_cents", "Adds the audit fee for declared values that trigger a manual documentation check."),
    ("accessorial_zone_factor", "zone_rate", None, "Applies the accessorial factor per zone, reflecting local labour costs."),
    ("zone_minimum_charge", "clamp", None, "Applies the minimum and maximum charge per service and customer class before discounts."),
    ("business_volume_discount", "discount", None, "Grants the volume discount agreed with business customers."),
    ("partner_discount", "discount", None, "Grants the partner discount from the reseller agreements."),
    ("loyalty_rebate", "discount", None, "Grants the loyalty rebate for long-standing accounts."),
    ("prepaid_discount", "discount", None, "Grants the discount for prepaid accounts."),
    ("off_peak_rebate", "discount", None, "Grants the off-peak rebate for flexible delivery windows."),
    ("return_lane_discount", "discount", None, "Grants the discount on return lanes that fill empty backhaul capacity."),
    ("remote_area_distance", "tier", "distance_km", "Adds the remote area surcharge. The surcharge is not discountable, so this stage runs after the discounts."),
    ("consolidated_billing_rebate", "discount", None, "Grants the rebate for accounts billed on a consolidated monthly statement."),
    ("contract_adjustment", "discount", None, "Applies the per-contract adjustment negotiated by key account managers."),
    ("service_minimum", "clamp", None, "Applies the final minimum charge per service and customer class."),
    ("claim_cap", "clamp", None, "Caps the charge so that it never exceeds the contractual ceiling per service and class."),
    ("statement_ceiling", "clamp", None, "Applies the statement ceiling agreed for consolidated billing."),
    ("invoice_rounding", "rounding", None, "Rounds the total to the invoice increment of the service."),
    ("cash_rounding", "rounding", None, "Rounds the total to the cash increment used by the collection desks."),
]

FIELD_INFO = {
    "weight_g": ("g", "the billable weight in grams"),
    "distance_km": ("km", "the lane distance in kilometres"),
    "pieces": ("pieces", "the number of pieces"),
    "declared_value_cents": ("cents", "the declared value in cents"),
}


# ---------------------------------------------------------------- token estimate

_PRETOKEN = re.compile(r"[A-Za-z]+|\d{1,3}|[^\sA-Za-z\d]+|\n[ \t]*|[ \t]+")


def estimate_tokens(text):
    """Rough o200k estimate: pre-tokens, counting long words as two tokens."""
    count = 0
    for piece in _PRETOKEN.findall(text):
        if piece.isspace() and not piece.startswith("\n"):
            continue
        count += 2 if (piece.isalpha() and len(piece) > 9) else 1
    return count


# ---------------------------------------------------------------- helpers


def render(template, **values):
    return string.Template(template).substitute(**values)


def fmt_thousands(n):
    return f"{n:,}"


def human(field, value):
    if field == "weight_g":
        return f"{value / 1000:g} kg" if value >= 1000 else f"{value} g"
    if field == "distance_km":
        return f"{value:,} km"
    if field == "pieces":
        return f"{value} piece" + ("" if value == 1 else "s")
    return f"${value / 100:,.2f}"


def revision_entries(rng, count, name):
    entries = []
    year, month = 2017, 1 + rng.randrange(12)
    ticket = 1000 + rng.randrange(4000)
    templates = [
        "Aligned the table with the {year} {partner} contract renewal.",
        "Raised the amounts by {pct} % after the {event}.",
        "Lowered the amounts for {zone} following the {event}.",
        "Added rows requested by {team}.",
        "Clarified the docstring; no price change.",
        "Rounded every amount to whole cents.",
        "Reverted R-{prev}: it double-charged consolidated shipments.",
        "Moved {name} later in the pipeline so it sees the scaled total.",
        "Split the widest band in two after the {event}.",
        "Reviewed with {team}; no change needed.",
    ]
    order = []
    for _ in range(count):
        if not order:
            order = list(templates)
            rng.shuffle(order)
        template = order.pop()
        month += 1 + rng.randrange(4)
        while month > 12:
            month -= 12
            year += 1
        ticket += 1 + rng.randrange(90)
        text = template.format(
            year=year,
            partner=rng.choice(PARTNERS),
            pct=rng.choice(["1.5", "2", "2.5", "3", "4", "6"]),
            event=rng.choice(EVENTS),
            zone=rng.choice(ZONES),
            team=rng.choice(TEAMS),
            prev=ticket - 1 - rng.randrange(40),
            name=name,
        )
        entries.append((f"{year}-{month:02d}-01", f"R-{ticket}", text))
    return entries


def render_revisions(entries):
    lines = ["# (effective date, ticket, change) - newest last", "REVISIONS = ["]
    for date, ticket, text in entries:
        lines.append(f"    ({date!r}, {ticket!r}, {json.dumps(text)}),")
    lines.append("]")
    return "\n".join(lines) + "\n"


HEADER = '''"""Stage $number: $name.

$purpose

$detail

Maintained by $team. $maintenance
"""

from freight.records import add_charge, require_fields

STAGE = $stage
NAME = "$name"
EFFECTIVE_FROM = "$effective"
'''

COMMON_TAIL = '''

def describe():
    """Return a one-line description of the stage for reports."""
    return f"{STAGE:02d} {NAME}: $summary, effective {EFFECTIVE_FROM}"


def last_revision():
    """Return the (date, ticket, change) of the most recent revision."""
    return REVISIONS[-1]
'''


# ---------------------------------------------------------------- stage kinds


def tier_table(rng, field):
    if field == "weight_g":
        limits, value = [], 0
        steps = [250, 250, 500, 500, 1000, 1000, 2000, 2500, 5000]
        for i in range(46):
            value += steps[min(i // 5, len(steps) - 1)]
            limits.append(value)
    elif field == "distance_km":
        limits, value = [], 0
        for i in range(44):
            value += 25 if i < 10 else 50 if i < 24 else 100 if i < 36 else 250
            limits.append(value)
    elif field == "pieces":
        limits = list(range(1, 21)) + [22, 24, 26, 28, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100, 125, 150, 200, 250, 300, 400, 500]
    else:
        limits, value = [], 0
        for i in range(44):
            value += 2500 if i < 8 else 10000 if i < 20 else 25000 if i < 32 else 100000
            limits.append(value * 10)
    fee = rng.randrange(0, 400)
    rows = []
    for limit in limits:
        rows.append((limit, fee))
        fee += 25 + 5 * rng.randrange(0, 30)
    return rows


def gen_tier(rng, number, name, field, purpose, comparison):
    unit, unit_desc = FIELD_INFO[field]
    rows = tier_table(rng, field)
    example_limit, _ = rows[len(rows) // 3]
    labels = []
    for i, (limit, _) in enumerate(rows):
        lower = rows[i - 1][0] + (1 if field != "declared_value_cents" else 1) if i else 0
        labels.append(f"{human(field, lower)} to {human(field, limit)}")
    detail = render(
        "The fee is looked up in ``TIERS`` by ``$field``, $unit_desc.\n"
        "Tiers are inclusive of their upper limit: a shipment of exactly $example $unit\n"
        "pays the tier that ends at $example $unit, not the next one. Values above the last\n"
        "limit pay the last tier.",
        field=field,
        unit_desc=unit_desc,
        example=fmt_thousands(example_limit),
        unit=unit,
    )
    table = [f"# (upper limit in {unit}, inclusive; fee in cents; label)", "TIERS = ["]
    for (limit, fee), label in zip(rows, labels):
        table.append(f"    ({limit}, {fee}, {label!r}),")
    table.append("]")
    body = render(
        '''FIELD = "$field"
UNIT = "$unit"

$table


def _tier_for(value):
    """Return the (limit, fee, label) tier of ``value``; values above the last limit use the last tier."""
    for limit, fee, label in TIERS:
        if value $cmp limit:
            return limit, fee, label
    return TIERS[-1]


def explain(record):
    """Return a human-readable explanation of the fee for ``record``."""
    value = record[FIELD]
    limit, fee, label = _tier_for(value)
    return f"{NAME}: {value} {UNIT} is in tier '{label}' (up to {limit} {UNIT}), fee {fee} cents"


def apply(record):
    """Add the tier fee for the record's ``$field`` to its total."""
    require_fields(record, FIELD)
    _, fee, _ = _tier_for(record[FIELD])
    add_charge(record, NAME, fee)
    return record
''',
        field=field,
        unit=unit,
        table="\n".join(table),
        cmp=comparison,
    )
    info = {
        "summary": f"fee by {field} in {len(rows)} tiers",
        "limits": [limit for limit, _ in rows],
        "note": f"inclusive {field} tiers from {human(field, rows[0][0])} to {human(field, rows[-1][0])}",
    }
    return detail, body, info


def gen_zone_rate(rng, number, name, field, purpose, comparison):
    detail = (
        "The factor is in per mille: 1000 leaves the running total unchanged, 1085 adds\n"
        "8.5 %. The result is rounded half up to whole cents, and the difference is\n"
        "recorded as this stage's charge (it can be negative)."
    )
    spread = rng.choice([20, 40, 60, 90])
    rows = [
        "# column order of FACTORS",
        f"SERVICES = {SERVICES!r}",
        "",
        "# per-mille factor by destination zone, one column per service",
        "FACTORS = {",
    ]
    for zone in ZONES:
        base = 1000 - spread // 2 + rng.randrange(spread + 1)
        cells = tuple(base + i * rng.randrange(5, 40) for i in range(len(SERVICES)))
        rows.append(f'    "{zone}": {cells!r},')
    rows.append("}")
    body = render(
        '''
$table


def factor_for(zone, service):
    """Return the per-mille factor for ``zone`` and ``service``; unknown zones and services use 1000."""
    row = FACTORS.get(zone)
    if row is None or service not in SERVICES:
        return 1000
    return row[SERVICES.index(service)]


def explain(record):
    """Return a human-readable explanation of the factor for ``record``."""
    factor = factor_for(record["zone"], record["service"])
    return f"{NAME}: zone {record['zone']} / {record['service']} factor {factor / 10:.1f} %"


def apply(record):
    """Scale the running total by the zone and service factor."""
    require_fields(record, "zone", "service", "total_cents")
    factor = factor_for(record["zone"], record["service"])
    before = record["total_cents"]
    after = (before * factor + 500) // 1000
    add_charge(record, NAME, after - before)
    return record
''',
        table="\n".join(rows),
    )
    info = {"summary": f"per-mille factor for {len(ZONES)} zones x {len(SERVICES)} services", "note": "a per-mille factor by zone and service, rounded half up"}
    return detail, body, info


def gen_flag(rng, number, name, field, purpose, comparison):
    codes = sorted(rng.sample(range(len(ACCESSORIAL_CODES)), 22))
    detail = (
        "Each accessorial code on the shipment that appears in ``ACCESSORIALS`` is charged\n"
        "once, or once per piece when the entry says so, and never more than its cap.\n"
        "Codes that are not in the table belong to other stages and are ignored here."
    )
    rows = ["# code: (fee in cents, charged per piece, cap in cents or None, description)", "ACCESSORIALS = {"]
    for index in codes:
        code, desc = ACCESSORIAL_CODES[index]
        per_piece = rng.random() < 0.35
        fee = 50 + 25 * rng.randrange(1, 60) if not per_piece else 25 + 5 * rng.randrange(1, 40)
        cap = (fee * rng.randrange(4, 12)) if per_piece else None
        rows.append(f"    {code!r}: ({fee}, {per_piece}, {cap}, {desc!r}),")
    rows.append("}")
    body = render(
        '''
$table


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
''',
        table="\n".join(rows),
    )
    info = {"summary": f"{len(codes)} accessorial codes", "note": f"{len(codes)} accessorial codes with per-piece fees and caps"}
    return detail, body, info


def gen_matrix(rng, number, name, field, purpose, comparison):
    unit, unit_desc = FIELD_INFO[field]
    bands = {
        "distance_km": [50, 150, 300, 600, 1200, 2500],
        "weight_g": [1000, 5000, 15000, 30000, 60000, 120000],
        "pieces": [1, 3, 6, 12, 25, 50],
        "declared_value_cents": [50000, 250000, 1000000, 2500000, 5000000, 10000000],
    }[field]
    detail = render(
        "The surcharge is looked up by destination zone and by the band of ``$field``\n"
        "($unit_desc). Bands are inclusive of their upper limit; values above the last\n"
        "band use the last column.",
        field=field,
        unit_desc=unit_desc,
    )
    rows = [f"# upper limit of each band, in {unit}, inclusive", f"BANDS = {tuple(bands)!r}", "", "# surcharge in cents by zone, one column per band", "MATRIX = {"]
    for zone in ZONES:
        value = rng.randrange(0, 60)
        cells = []
        for _ in bands:
            cells.append(value)
            value += 5 * rng.randrange(1, 25)
        rows.append(f'    "{zone}": {tuple(cells)!r},')
    rows.append("}")
    body = render(
        '''FIELD = "$field"

$table


def band_index(value):
    """Return the index of the band that contains ``value``."""
    for index, upper in enumerate(BANDS):
        if value <= upper:
            return index
    return len(BANDS) - 1


def explain(record):
    """Return a human-readable explanation of the surcharge for ``record``."""
    index = band_index(record[FIELD])
    row = MATRIX.get(record["zone"])
    amount = row[index] if row else 0
    return f"{NAME}: zone {record['zone']}, band {index} (up to {BANDS[index]}), {amount} cents"


def apply(record):
    """Add the zone and band surcharge."""
    require_fields(record, "zone", FIELD)
    row = MATRIX.get(record["zone"])
    amount = row[band_index(record[FIELD])] if row else 0
    add_charge(record, NAME, amount)
    return record
''',
        field=field,
        table="\n".join(rows),
    )
    info = {"summary": f"surcharge by zone and {field} band", "note": f"a zone by {field} band matrix with inclusive bands"}
    return detail, body, info


def gen_discount(rng, number, name, field, purpose, comparison):
    detail = (
        "The discount is in basis points of the running total (100 bp = 1 %), chosen by\n"
        "customer class and by the monthly volume band (shipments per month, inclusive\n"
        "upper limit). The discount is rounded down to whole cents, in the customer's favour\n"
        "never more than the table says."
    )
    volumes = [5, 10, 25, 50, 100, 200, 350, 500, 750, 1000, 1500, 2000, 3000, 5000]
    rows = ["# customer class: [(monthly volume up to, discount in basis points), ...]", "DISCOUNTS = {"]
    for cls in CLASSES:
        bp = 0 if cls == "retail" else rng.randrange(0, 40)
        cells = []
        for volume in volumes:
            cells.append(f"({volume}, {bp})")
            bp += rng.randrange(0, 30 if cls != "retail" else 8)
        rows.append(f'    "{cls}": [')
        for i in range(0, len(cells), 5):
            rows.append("        " + ", ".join(cells[i:i + 5]) + ",")
        rows.append("    ],")
    rows.append("}")
    body = render(
        '''
$table


def discount_bp(customer_class, monthly_volume):
    """Return the discount in basis points; volumes above the last band use the last band."""
    bands = DISCOUNTS.get(customer_class, [])
    for upper, bp in bands:
        if monthly_volume <= upper:
            return bp
    return bands[-1][1] if bands else 0


def explain(record):
    """Return a human-readable explanation of the discount for ``record``."""
    bp = discount_bp(record["customer_class"], record["monthly_volume"])
    return f"{NAME}: {record['customer_class']} at {record['monthly_volume']} shipments/month, {bp / 100:.2f} % off"


def apply(record):
    """Subtract the discount from the running total."""
    require_fields(record, "customer_class", "monthly_volume", "total_cents")
    bp = discount_bp(record["customer_class"], record["monthly_volume"])
    discount = record["total_cents"] * bp // 10000
    add_charge(record, NAME, -discount)
    return record
''',
        table="\n".join(rows),
    )
    info = {"summary": "discount by customer class and monthly volume", "note": "basis-point discounts by class and volume band, rounded down"}
    return detail, body, info


def gen_clamp(rng, number, name, field, purpose, comparison):
    detail = (
        "The running total is raised to the minimum or lowered to the maximum of the\n"
        "service and customer class. The adjustment is recorded as this stage's charge, so\n"
        "the statement shows why a total moved."
    )
    rows = ["# (service, customer class): (minimum in cents, maximum in cents)", "LIMITS = {"]
    for service in SERVICES:
        for cls in CLASSES:
            low = 300 + 25 * rng.randrange(0, 40)
            high = 5_000_000 + 50_000 * rng.randrange(0, 100)
            rows.append(f"    ({service!r}, {cls!r}): ({low}, {high}),")
    rows.append("}")
    body = render(
        '''
$table


def limits_for(service, customer_class):
    """Return (minimum, maximum) in cents; unknown combinations are not limited."""
    return LIMITS.get((service, customer_class), (0, None))


def explain(record):
    """Return a human-readable explanation of the limits for ``record``."""
    low, high = limits_for(record["service"], record["customer_class"])
    return f"{NAME}: {record['service']}/{record['customer_class']} between {low} and {high} cents"


def apply(record):
    """Clamp the running total to the limits of the service and customer class."""
    require_fields(record, "service", "customer_class", "total_cents")
    low, high = limits_for(record["service"], record["customer_class"])
    before = record["total_cents"]
    after = max(before, low)
    if high is not None:
        after = min(after, high)
    add_charge(record, NAME, after - before)
    return record
''',
        table="\n".join(rows),
    )
    info = {"summary": "minimum and maximum by service and class", "note": "a min/max clamp per service and customer class"}
    return detail, body, info


def gen_rounding(rng, number, name, field, purpose, comparison):
    detail = (
        "Totals are rounded half up to a multiple of the service's increment, in cents.\n"
        "``EXAMPLES`` lists worked cases from the rate sheet; the test suite and the\n"
        "billing reconciliation both rely on them."
    )
    increments = {s: rng.choice([1, 5, 5, 10]) for s in SERVICES}
    rows = ["# rounding increment in cents by service", "INCREMENTS = {"]
    for service in SERVICES:
        rows.append(f"    {service!r}: {increments[service]},")
    rows.append("}")
    rows.append("")
    rows.append("# (service, total before, total after) worked examples from the rate sheet")
    rows.append("EXAMPLES = [")
    for i in range(24):
        service = SERVICES[i % 4]
        before = rng.randrange(500, 90000)
        inc = increments[service]
        after = (before + inc // 2) // inc * inc
        rows.append(f"    ({service!r}, {before}, {after}),")
    rows.append("]")
    body = render(
        '''
$table


def round_total(total, service):
    """Round ``total`` half up to the increment of ``service``."""
    increment = INCREMENTS.get(service, 1)
    return (total + increment // 2) // increment * increment


def explain(record):
    """Return a human-readable explanation of the rounding for ``record``."""
    increment = INCREMENTS.get(record["service"], 1)
    return f"{NAME}: {record['service']} rounds to {increment} cents"


def apply(record):
    """Round the running total to the service's increment."""
    require_fields(record, "service", "total_cents")
    before = record["total_cents"]
    add_charge(record, NAME, round_total(before, record["service"]) - before)
    return record
''',
        table="\n".join(rows),
    )
    info = {"summary": "half-up rounding to the service increment", "note": "half-up rounding to 1, 5 or 10 cents by service"}
    return detail, body, info


GENERATORS = {
    "tier": gen_tier,
    "zone_rate": gen_zone_rate,
    "flag": gen_flag,
    "matrix": gen_matrix,
    "discount": gen_discount,
    "clamp": gen_clamp,
    "rounding": gen_rounding,
}


def module_name(number, name):
    return f"s{number:02d}_{name}"


def build_stage(number, name, kind, field, purpose, buggy):
    rng = random.Random(SEED * 100 + number)
    comparison = "<" if buggy else "<="
    detail, body, info = GENERATORS[kind](rng, number, name, field, purpose, comparison)
    header = render(
        HEADER,
        number=f"{number:02d}",
        name=name,
        purpose=textwrap.fill(purpose, 88),
        detail=detail,
        team=TEAMS[number % len(TEAMS)],
        maintenance=MAINTENANCE[number % len(MAINTENANCE)][0].upper() + MAINTENANCE[number % len(MAINTENANCE)][1:],
        stage=number,
        effective=f"20{22 + number % 4}-{1 + number % 12:02d}-01",
    )
    tail = render(COMMON_TAIL, summary=info["summary"])
    # Size the revision log so that the file lands near TARGET_TOKENS.
    log_rng = random.Random(SEED * 1000 + number)
    entries = revision_entries(log_rng, 60, name)
    text = None
    for count in range(3, 61):
        candidate = header + "\n" + body.rstrip("\n") + "\n\n" + render_revisions(entries[:count]) + tail
        text = candidate
        if estimate_tokens(candidate) >= TARGET_TOKENS:
            break
    return text, info


# ---------------------------------------------------------------- other files

RECORDS = '''"""Shipment records and the charge ledger shared by every stage.

A record is a plain dict. Input fields never change while the pipeline runs; stages
only add charges through ``add_charge``, which keeps ``total_cents`` and the ``charges``
ledger in step.
"""

import copy

INPUT_FIELDS = (
    "shipment_id",
    "service",
    "zone",
    "customer_class",
    "weight_g",
    "distance_km",
    "declared_value_cents",
    "pieces",
    "monthly_volume",
    "accessorials",
)

SERVICES = ("economy", "standard", "express", "overnight")
CUSTOMER_CLASSES = ("retail", "business", "partner")


def new_record(shipment):
    """Return a fresh billing record for a shipment dict (the input is not modified)."""
    missing = [name for name in INPUT_FIELDS if name not in shipment]
    if missing:
        raise KeyError(f"shipment is missing {', '.join(missing)}")
    if shipment["service"] not in SERVICES:
        raise ValueError(f"unknown service {shipment['service']!r}")
    if shipment["customer_class"] not in CUSTOMER_CLASSES:
        raise ValueError(f"unknown customer class {shipment['customer_class']!r}")
    record = copy.deepcopy(dict(shipment))
    record["total_cents"] = 0
    record["charges"] = []
    return record


def require_fields(record, *names):
    """Raise KeyError naming the first missing field."""
    for name in names:
        if name not in record:
            raise KeyError(f"record {record.get('shipment_id', '?')} has no field {name!r}")


def add_charge(record, stage_name, cents):
    """Add ``cents`` (possibly negative or zero) to the total and the ledger."""
    if not isinstance(cents, int):
        raise TypeError(f"{stage_name}: charges are whole cents, got {cents!r}")
    record["total_cents"] += cents
    record["charges"].append((stage_name, cents))


def format_cents(cents):
    """Format cents as dollars: 123456 -> '$1,234.56'."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"
'''

RUNNER_HEAD = '''"""The billing pipeline: every stage, in order.

Each stage module exposes ``STAGE``, ``NAME``, ``apply(record)``, ``explain(record)`` and
``describe()``. The order matters: multipliers scale what earlier stages charged,
discounts apply to the scaled total, and rounding comes last.
"""

from freight.records import format_cents, new_record
from freight.stages import (
'''

RUNNER_TAIL = '''

def run(shipment):
    """Bill one shipment; returns the record with ``total_cents`` and the ``charges`` ledger."""
    record = new_record(shipment)
    for stage in STAGES:
        stage.apply(record)
    return record


def run_all(shipments):
    """Bill several shipments; returns a dict of records by shipment id."""
    return {shipment["shipment_id"]: run(shipment) for shipment in shipments}


def statement(shipment):
    """Return a text statement: one line per non-zero charge, then the total."""
    record = run(shipment)
    lines = [f"Shipment {record['shipment_id']}"]
    for name, cents in record["charges"]:
        if cents:
            lines.append(f"  {name:<30} {format_cents(cents):>12}")
    lines.append(f"  {'total':<30} {format_cents(record['total_cents']):>12}")
    return "\\n".join(lines)
'''


def build_runner(modules):
    lines = [RUNNER_HEAD.rstrip("\n")]
    for module in modules:
        lines.append(f"    {module},")
    lines.append(")")
    lines.append("")
    lines.append("STAGES = (")
    for module in modules:
        lines.append(f"    {module},")
    lines.append(")")
    return "\n".join(lines) + "\n" + RUNNER_TAIL


README = '''# freight

Billing rules for a parcel and freight network. A shipment goes through sixty
rule stages (`freight/stages/`), run in order by `freight/runner.py`; each stage adds one
charge (possibly zero or negative) to the running total. Stages are tables plus
a small `apply(record)` function; the tables are maintained by different teams.

- Tier stages charge a fee looked up by weight, distance, pieces or declared value.
  Tiers and bands are inclusive of their upper limit.
- Zone factors scale the running total per destination zone and service.
- Accessorial stages charge for the codes on the shipment (fragile, liftgate, ...).
- Discounts, minimum/maximum clamps and rounding come last.

All amounts are whole cents (`int`). Records are plain dicts (`freight/records.py`).

## Tests

    python3 -m unittest discover -s tests -t .

`tests/test_pipeline.py` checks end-to-end totals against the published rate sheet;
`tests/test_stages.py` checks individual stages.
'''


def make_shipments(bug_limits):
    rng = random.Random(SEED + 7)
    codes = [code for code, _ in ACCESSORIAL_CODES]
    shipments = []
    for i in range(1, 25):
        shipments.append(
            {
                "shipment_id": f"F-{i:04d}",
                "service": SERVICES[rng.randrange(len(SERVICES))],
                "zone": ZONES[rng.randrange(len(ZONES))],
                "customer_class": CLASSES[rng.randrange(len(CLASSES))],
                "weight_g": rng.randrange(120, 90000),
                "distance_km": rng.randrange(8, 4900),
                "declared_value_cents": rng.randrange(0, 4_000_000),
                "pieces": rng.randrange(1, 60),
                "monthly_volume": rng.randrange(1, 4000),
                "accessorials": sorted(rng.sample(codes, rng.randrange(0, 5))),
            }
        )
    # Two shipments sit exactly on tier limits of the buggy stage.
    shipments[5]["distance_km"] = bug_limits[len(bug_limits) // 2]
    shipments[16]["distance_km"] = bug_limits[len(bug_limits) // 3]
    return shipments


def render_fixtures(shipments):
    lines = [
        '"""Shipments from the rate sheet\'s worked examples."""',
        "",
        "SHIPMENTS = [",
    ]
    for s in shipments:
        lines.append("    {")
        for key, value in s.items():
            lines.append(f"        {key!r}: {value!r},")
        lines.append("    },")
    lines.append("]")
    lines.append("")
    lines.append("")
    lines.append("def shipment(shipment_id):")
    lines.append('    """Return a copy of the fixture with this id."""')
    lines.append("    for s in SHIPMENTS:")
    lines.append('        if s["shipment_id"] == shipment_id:')
    lines.append("            return dict(s)")
    lines.append("    raise KeyError(shipment_id)")
    return "\n".join(lines) + "\n"


def render_pipeline_test(expected, stage_count):
    lines = [
        "import unittest",
        "",
        "from freight.records import format_cents",
        "from freight.runner import STAGES, run, statement",
        "from tests.fixtures import SHIPMENTS, shipment",
        "",
        "# Totals in cents from the published rate sheet.",
        "EXPECTED_TOTALS = {",
    ]
    for sid, total in expected.items():
        lines.append(f"    {sid!r}: {total},")
    lines.append("}")
    lines.append(
        render(
            '''

class PipelineTests(unittest.TestCase):
    def test_end_to_end_totals(self):
        for s in SHIPMENTS:
            with self.subTest(shipment=s["shipment_id"]):
                self.assertEqual(run(s)["total_cents"], EXPECTED_TOTALS[s["shipment_id"]])

    def test_every_stage_records_one_charge(self):
        record = run(shipment("F-0001"))
        self.assertEqual(len(record["charges"]), $count)
        self.assertEqual(sum(cents for _, cents in record["charges"]), record["total_cents"])

    def test_stages_are_numbered_in_order(self):
        self.assertEqual([stage.STAGE for stage in STAGES], list(range(1, $count + 1)))

    def test_run_does_not_modify_the_shipment(self):
        s = shipment("F-0002")
        before = dict(s)
        run(s)
        self.assertEqual(s, before)

    def test_statement_ends_with_total(self):
        text = statement(shipment("F-0003"))
        self.assertTrue(text.startswith("Shipment F-0003"))
        self.assertIn(format_cents(EXPECTED_TOTALS["F-0003"]), text.splitlines()[-1])


if __name__ == "__main__":
    unittest.main()
''',
            count=stage_count,
        ).rstrip("\n")
    )
    return "\n".join(lines) + "\n"


def render_stage_tests(cases):
    lines = [
        "import unittest",
        "",
        "from freight.records import new_record",
        "from freight.stages import (",
    ]
    for module in sorted({m for m, _, _, _ in cases}):
        lines.append(f"    {module},")
    lines.append(")")
    lines.append("from tests.fixtures import shipment")
    lines.append("")
    lines.append("")
    lines.append("def record_for(shipment_id, total_cents):")
    lines.append('    """A fresh record for the fixture with a preset running total."""')
    lines.append("    record = new_record(shipment(shipment_id))")
    lines.append('    record["total_cents"] = total_cents')
    lines.append("    return record")
    lines.append("")
    lines.append("")
    lines.append("class StageTests(unittest.TestCase):")
    for module, sid, start, charge in cases:
        lines.append(f"    def test_{module}_{sid.replace('-', '_').lower()}(self):")
        lines.append(f"        record = {module}.apply(record_for({sid!r}, {start}))")
        lines.append(f"        self.assertEqual(record[\"charges\"], [({module}.NAME, {charge})])")
        lines.append(f"        self.assertEqual(record[\"total_cents\"], {start + charge})")
        lines.append("")
    lines.append("")
    lines.append('if __name__ == "__main__":')
    lines.append("    unittest.main()")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- scenario

READ_REASONING = {
    "tier": [
        "{prev} {name} is next: {note}.",
        "{prev} Next is {name}, with {note}.",
    ],
    "zone_rate": ["{prev} {name} applies {note}.", "{prev} Next, {name}: {note}."],
    "flag": ["{prev} {name} charges {note}.", "{prev} Next is {name}, with {note}."],
    "matrix": ["{prev} {name} uses {note}.", "{prev} Next, {name}: {note}."],
    "discount": ["{prev} {name} applies {note}.", "{prev} Next, {name}: {note}."],
    "clamp": ["{prev} {name} is {note}.", "{prev} Next, {name}: {note}."],
    "rounding": ["{prev} {name} does {note}.", "{prev} Last stages: {name} does {note}."],
}

LOOKS_RIGHT = [
    "That one looks correct.",
    "Nothing wrong there.",
    "That matches the README.",
    "The lookup and the charge look right.",
    "No issue there.",
    "That one is consistent with the others.",
]


def build_scenario(stages, failing, expected, bug, passed_count):
    steps = []

    def step(reasoning, calls, expect=None):
        entry = {"reasoning": reasoning, "calls": calls}
        if expect:
            entry["expect_tests"] = expect
        steps.append(entry)

    def read(path):
        return {"name": "read_file", "arguments": {"path": path}}

    step("I'll start with the layout of the Python sources.", [{"name": "list_files", "arguments": {"pattern": "**/*.py"}}])
    step(
        f"A billing pipeline with {len(stages)} stage modules under freight/stages, a runner, records and two test modules. The README should explain the conventions.",
        [read("README.md")],
    )
    step(
        "Tiers and bands are inclusive of their upper limit and amounts are whole cents. I'll run the tests to see what fails.",
        [{"name": "run_tests", "arguments": {}}],
        "fail",
    )
    diffs = ", ".join(f"{sid} ({got} instead of {expected[sid]})" for sid, got in failing)
    step(
        f"Only the end-to-end totals fail, for {diffs}. The per-stage tests pass, so the bug is in a stage they do not cover. I'll read the pipeline test first.",
        [read("tests/test_pipeline.py")],
    )
    step(
        "The expected totals come from the rate sheet, and nothing in the failure points to a particular stage. I'll read the runner to get the stage order.",
        [read("freight/runner.py")],
    )
    step(
        f"The runner applies {len(stages)} stages in order. I'll check the record helpers before walking through the stages one by one.",
        [read("freight/records.py")],
    )
    prev = "The add_charge helper keeps total_cents and the ledger in step, which is fine."
    fixed = False
    for index, stage in enumerate(stages):
        name, kind, path, note = stage["name"], stage["kind"], stage["path"], stage["note"]
        template = READ_REASONING[kind][index % len(READ_REASONING[kind])]
        text = template.format(prev=prev, name=f"s{stage['number']:02d} {name}", note=note)
        step(text[0].upper() + text[1:], [read(path)])
        if name == bug["name"]:
            step(
                f"Found it: {path} compares `value < limit` in _tier_for, but its docstring and every other tier stage treat limits as inclusive. "
                f"A shipment exactly on a limit, like {bug['shipment']} at {bug['value']:,} km, is charged the next tier. I'll change the comparison to `<=`.",
                [
                    {
                        "name": "edit_file",
                        "arguments": {"path": path, "old": "        if value < limit:\n", "new": "        if value <= limit:\n"},
                    }
                ],
            )
            fixed = True
            prev = "Fixed. I'll read the remaining stages before re-running the tests, in case one of them compensates for the old boundary."
        else:
            prev = LOOKS_RIGHT[index % len(LOOKS_RIGHT)]
            if fixed:
                prev = prev + " It does not depend on the remote area boundary."
    step(
        prev + " That was the last stage. I'll re-run the tests.",
        [{"name": "run_tests", "arguments": {}}],
        "pass",
    )
    steps.append(
        {
            "final": f"Fixed the remote area surcharge in {bug['path']}: _tier_for compared `value < limit`, so distances exactly on a tier limit "
            f"were charged the next tier, contrary to the inclusive limits documented in the README and used by every other stage. "
            f"It now compares `value <= limit`. I read all {len(stages)} stages and none of the others had the problem. All {passed_count} tests pass."
        }
    )
    return {
        "name": "long-haul",
        "task": "The tests of this repository fail. Find the bug and fix it so that the test command passes.",
        "test_command": TEST_COMMAND,
        "test_timeout_seconds": 120,
        "steps": steps,
    }


# ---------------------------------------------------------------- main


def write(path, text):
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def run_tests():
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(TEST_COMMAND, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    out = result.stdout + result.stderr
    ran = re.search(r"Ran (\d+) tests?", out)
    return result.returncode, int(ran.group(1)) if ran else 0, out


def main():
    for sub in ("freight", "tests"):
        shutil.rmtree(os.path.join(ROOT, sub), ignore_errors=True)

    # Step 1
    modules, stages, bug_info = [], [], None
    for number, (name, kind, field, purpose) in enumerate(STAGES, start=1):
        module = module_name(number, name)
        text, info = build_stage(number, name, kind, field, purpose, buggy=False)
        path = f"freight/stages/{module}.py"
        write(path, text)
        modules.append(module)
        stages.append({"number": number, "name": name, "kind": kind, "path": path, "module": module, "note": info["note"]})
        if name == BUG_STAGE:
            bug_info = {"name": name, "number": number, "path": path, "module": module, "limits": info["limits"]}
    write("freight/__init__.py", '"""Freight billing rules."""\n\n__version__ = "3.8.0"\n')
    write("freight/stages/__init__.py", '"""The billing stages; freight.runner imports them in order."""\n')
    write("freight/records.py", RECORDS)
    write("freight/runner.py", build_runner(modules))
    write("README.md", README)
    write("tests/__init__.py", "")
    shipments = make_shipments(bug_info["limits"])
    write("tests/fixtures.py", render_fixtures(shipments))

    # Step 2
    sys.path.insert(0, ROOT)
    import importlib

    runner = importlib.import_module("freight.runner")
    expected = {s["shipment_id"]: runner.run(s)["total_cents"] for s in shipments}
    records = importlib.import_module("freight.records")
    cases = []
    rng = random.Random(SEED + 11)
    for stage in stages:
        if stage["name"] == BUG_STAGE or stage["number"] % 5 != 2:
            continue
        mod = importlib.import_module(f"freight.stages.{stage['module']}")
        sid = shipments[rng.randrange(len(shipments))]["shipment_id"]
        start = rng.randrange(2000, 60000)
        record = records.new_record(next(s for s in shipments if s["shipment_id"] == sid))
        record["total_cents"] = start
        mod.apply(record)
        cases.append((stage["module"], sid, start, record["total_cents"] - start))

    # Step 3
    write("tests/test_pipeline.py", render_pipeline_test(expected, len(stages)))
    write("tests/test_stages.py", render_stage_tests(cases))
    code, ran, out = run_tests()
    if code != 0:
        sys.exit("tests fail on the correct code:\n" + out)

    # Step 4
    text, _ = build_stage(bug_info["number"], BUG_STAGE, "tier", "distance_km", STAGES[bug_info["number"] - 1][3], buggy=True)
    write(bug_info["path"], text)
    for name in list(sys.modules):
        if name == "freight" or name.startswith("freight."):
            del sys.modules[name]
    runner = importlib.import_module("freight.runner")
    failing = []
    for s in shipments:
        got = runner.run(s)["total_cents"]
        if got != expected[s["shipment_id"]]:
            failing.append((s["shipment_id"], got))
    code, _, out = run_tests()
    if code == 0 or not failing:
        sys.exit("the injected bug does not fail the tests")
    bug_info["shipment"] = failing[0][0]
    bug_info["value"] = next(s["distance_km"] for s in shipments if s["shipment_id"] == failing[0][0])

    # Step 5
    scenario = build_scenario(stages, failing, expected, bug_info, ran)
    with open(os.path.join(HERE, "scenario.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(scenario, f, indent=2, ensure_ascii=False)
        f.write("\n")
    total = sum(estimate_tokens(open(os.path.join(ROOT, s["path"]), encoding="utf-8").read()) for s in stages)
    print(f"{len(stages)} stages, ~{total} estimated tokens, {ran} tests, failing: {failing}, {len(scenario['steps'])} steps")


if __name__ == "__main__":
    main()
