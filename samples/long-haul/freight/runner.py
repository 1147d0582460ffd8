"""The billing pipeline: every stage, in order.

Each stage module exposes ``STAGE``, ``NAME``, ``apply(record)``, ``explain(record)`` and
``describe()``. The order matters: multipliers scale what earlier stages charged,
discounts apply to the scaled total, and rounding comes last.
"""

from freight.records import format_cents, new_record
from freight.stages import (
    s01_base_weight_rate,
    s02_distance_band,
    s03_linehaul_weight_break,
    s04_zone_multiplier,
    s05_zone_distance_matrix,
    s06_service_zone_factor,
    s07_multi_piece_handling,
    s08_dimensional_weight_fee,
    s09_fuel_distance_band,
    s10_fuel_index_factor,
    s11_insurance_band,
    s12_fragile_handling,
    s13_hazmat_surcharge,
    s14_residential_delivery,
    s15_heavy_parcel_band,
    s16_long_haul_distance,
    s17_piece_count_band,
    s18_service_weight_matrix,
    s19_high_value_handling,
    s20_liftgate_service,
    s21_signature_required,
    s22_peak_zone_factor,
    s23_pallet_weight_band,
    s24_rural_delivery_band,
    s25_sortation_piece_fee,
    s26_liability_cover,
    s27_cold_chain_fee,
    s28_zone_piece_matrix,
    s29_carrier_zone_factor,
    s30_oversize_handling,
    s31_overweight_piece_fee,
    s32_ferry_crossing_band,
    s33_label_piece_fee,
    s34_customs_value_band,
    s35_weekend_delivery,
    s36_lane_balance_factor,
    s37_class_zone_matrix,
    s38_inside_delivery,
    s39_consolidation_band,
    s40_valuation_reserve,
    s41_appointment_fee,
    s42_currency_zone_factor,
    s43_manifest_line_fee,
    s44_audit_value_band,
    s45_accessorial_zone_factor,
    s46_zone_minimum_charge,
    s47_business_volume_discount,
    s48_partner_discount,
    s49_loyalty_rebate,
    s50_prepaid_discount,
    s51_off_peak_rebate,
    s52_return_lane_discount,
    s53_remote_area_distance,
    s54_consolidated_billing_rebate,
    s55_contract_adjustment,
    s56_service_minimum,
    s57_claim_cap,
    s58_statement_ceiling,
    s59_invoice_rounding,
    s60_cash_rounding,
)

STAGES = (
    s01_base_weight_rate,
    s02_distance_band,
    s03_linehaul_weight_break,
    s04_zone_multiplier,
    s05_zone_distance_matrix,
    s06_service_zone_factor,
    s07_multi_piece_handling,
    s08_dimensional_weight_fee,
    s09_fuel_distance_band,
    s10_fuel_index_factor,
    s11_insurance_band,
    s12_fragile_handling,
    s13_hazmat_surcharge,
    s14_residential_delivery,
    s15_heavy_parcel_band,
    s16_long_haul_distance,
    s17_piece_count_band,
    s18_service_weight_matrix,
    s19_high_value_handling,
    s20_liftgate_service,
    s21_signature_required,
    s22_peak_zone_factor,
    s23_pallet_weight_band,
    s24_rural_delivery_band,
    s25_sortation_piece_fee,
    s26_liability_cover,
    s27_cold_chain_fee,
    s28_zone_piece_matrix,
    s29_carrier_zone_factor,
    s30_oversize_handling,
    s31_overweight_piece_fee,
    s32_ferry_crossing_band,
    s33_label_piece_fee,
    s34_customs_value_band,
    s35_weekend_delivery,
    s36_lane_balance_factor,
    s37_class_zone_matrix,
    s38_inside_delivery,
    s39_consolidation_band,
    s40_valuation_reserve,
    s41_appointment_fee,
    s42_currency_zone_factor,
    s43_manifest_line_fee,
    s44_audit_value_band,
    s45_accessorial_zone_factor,
    s46_zone_minimum_charge,
    s47_business_volume_discount,
    s48_partner_discount,
    s49_loyalty_rebate,
    s50_prepaid_discount,
    s51_off_peak_rebate,
    s52_return_lane_discount,
    s53_remote_area_distance,
    s54_consolidated_billing_rebate,
    s55_contract_adjustment,
    s56_service_minimum,
    s57_claim_cap,
    s58_statement_ceiling,
    s59_invoice_rounding,
    s60_cash_rounding,
)


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
    return "\n".join(lines)
