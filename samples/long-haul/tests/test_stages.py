import unittest

from freight.records import new_record
from freight.stages import (
    s02_distance_band,
    s07_multi_piece_handling,
    s12_fragile_handling,
    s17_piece_count_band,
    s22_peak_zone_factor,
    s27_cold_chain_fee,
    s32_ferry_crossing_band,
    s37_class_zone_matrix,
    s42_currency_zone_factor,
    s47_business_volume_discount,
    s52_return_lane_discount,
    s57_claim_cap,
)
from tests.fixtures import shipment


def record_for(shipment_id, total_cents):
    """A fresh record for the fixture with a preset running total."""
    record = new_record(shipment(shipment_id))
    record["total_cents"] = total_cents
    return record


class StageTests(unittest.TestCase):
    def test_s02_distance_band_f_0001(self):
        record = s02_distance_band.apply(record_for('F-0001', 28268))
        self.assertEqual(record["charges"], [(s02_distance_band.NAME, 1800)])
        self.assertEqual(record["total_cents"], 30068)

    def test_s07_multi_piece_handling_f_0023(self):
        record = s07_multi_piece_handling.apply(record_for('F-0023', 11106))
        self.assertEqual(record["charges"], [(s07_multi_piece_handling.NAME, 3118)])
        self.assertEqual(record["total_cents"], 14224)

    def test_s12_fragile_handling_f_0021(self):
        record = s12_fragile_handling.apply(record_for('F-0021', 44796))
        self.assertEqual(record["charges"], [(s12_fragile_handling.NAME, 0)])
        self.assertEqual(record["total_cents"], 44796)

    def test_s17_piece_count_band_f_0024(self):
        record = s17_piece_count_band.apply(record_for('F-0024', 9738))
        self.assertEqual(record["charges"], [(s17_piece_count_band.NAME, 2984)])
        self.assertEqual(record["total_cents"], 12722)

    def test_s22_peak_zone_factor_f_0020(self):
        record = s22_peak_zone_factor.apply(record_for('F-0020', 47914))
        self.assertEqual(record["charges"], [(s22_peak_zone_factor.NAME, 3306)])
        self.assertEqual(record["total_cents"], 51220)

    def test_s27_cold_chain_fee_f_0012(self):
        record = s27_cold_chain_fee.apply(record_for('F-0012', 19928))
        self.assertEqual(record["charges"], [(s27_cold_chain_fee.NAME, 1420)])
        self.assertEqual(record["total_cents"], 21348)

    def test_s32_ferry_crossing_band_f_0002(self):
        record = s32_ferry_crossing_band.apply(record_for('F-0002', 2450))
        self.assertEqual(record["charges"], [(s32_ferry_crossing_band.NAME, 3910)])
        self.assertEqual(record["total_cents"], 6360)

    def test_s37_class_zone_matrix_f_0023(self):
        record = s37_class_zone_matrix.apply(record_for('F-0023', 13388))
        self.assertEqual(record["charges"], [(s37_class_zone_matrix.NAME, 356)])
        self.assertEqual(record["total_cents"], 13744)

    def test_s42_currency_zone_factor_f_0016(self):
        record = s42_currency_zone_factor.apply(record_for('F-0016', 12947))
        self.assertEqual(record["charges"], [(s42_currency_zone_factor.NAME, -39)])
        self.assertEqual(record["total_cents"], 12908)

    def test_s47_business_volume_discount_f_0016(self):
        record = s47_business_volume_discount.apply(record_for('F-0016', 55471))
        self.assertEqual(record["charges"], [(s47_business_volume_discount.NAME, -876)])
        self.assertEqual(record["total_cents"], 54595)

    def test_s52_return_lane_discount_f_0002(self):
        record = s52_return_lane_discount.apply(record_for('F-0002', 36365))
        self.assertEqual(record["charges"], [(s52_return_lane_discount.NAME, -145)])
        self.assertEqual(record["total_cents"], 36220)

    def test_s57_claim_cap_f_0008(self):
        record = s57_claim_cap.apply(record_for('F-0008', 13820))
        self.assertEqual(record["charges"], [(s57_claim_cap.NAME, 0)])
        self.assertEqual(record["total_cents"], 13820)


if __name__ == "__main__":
    unittest.main()
