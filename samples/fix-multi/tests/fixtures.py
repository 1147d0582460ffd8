"""Shared test data."""

from inventory.models import Customer
from inventory.parsers.csv_parser import parse_catalogue

CATALOGUE_CSV = """sku,name,price,weight_grams
MUG-0001,Enamel mug,12.99,350
TEE-0002,Cotton tee,19.99,220
BAG-0003,Canvas tote,24.50,410
LMP-0004,Desk lamp,45.00,1800
PEN-0005,Gel pen,1.75,15
"""


def catalogue():
    return parse_catalogue(CATALOGUE_CSV)


ADA = Customer("C-001", "Ada Lovelace", tier="gold", region="CA")
GRACE = Customer("C-002", "Grace Hopper", tier="silver", region="NY")
KEN = Customer("C-003", "Ken Thompson", tier="bronze", region="OR")
