import unittest

from freight.records import format_cents
from freight.runner import STAGES, run, statement
from tests.fixtures import SHIPMENTS, shipment

# Totals in cents from the published rate sheet.
EXPECTED_TOTALS = {
    'F-0001': 84560,
    'F-0002': 123790,
    'F-0003': 99055,
    'F-0004': 81970,
    'F-0005': 77175,
    'F-0006': 82885,
    'F-0007': 67090,
    'F-0008': 71325,
    'F-0009': 79730,
    'F-0010': 110940,
    'F-0011': 82220,
    'F-0012': 78585,
    'F-0013': 67085,
    'F-0014': 117370,
    'F-0015': 79625,
    'F-0016': 96195,
    'F-0017': 58710,
    'F-0018': 82405,
    'F-0019': 74210,
    'F-0020': 83225,
    'F-0021': 46850,
    'F-0022': 64145,
    'F-0023': 118730,
    'F-0024': 79090,
}


class PipelineTests(unittest.TestCase):
    def test_end_to_end_totals(self):
        for s in SHIPMENTS:
            with self.subTest(shipment=s["shipment_id"]):
                self.assertEqual(run(s)["total_cents"], EXPECTED_TOTALS[s["shipment_id"]])

    def test_every_stage_records_one_charge(self):
        record = run(shipment("F-0001"))
        self.assertEqual(len(record["charges"]), 60)
        self.assertEqual(sum(cents for _, cents in record["charges"]), record["total_cents"])

    def test_stages_are_numbered_in_order(self):
        self.assertEqual([stage.STAGE for stage in STAGES], list(range(1, 60 + 1)))

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
