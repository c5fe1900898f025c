"""What the code reads of eTIMS answers, checked before use (docs/providers/etims.md)."""
from odoo.addons.ddcpts_base.tools import schema

# data of a saveTrnsSalesOsdc success: the signed receipt (no signature: someone confirms it by hand)
SALE_RECEIPT = schema.Object({
    'curRcptNo': schema.String(max_length=20, accept_numbers=True, required=False),
    'totRcptNo': schema.String(max_length=20, accept_numbers=True, required=False),
    'intrlData': schema.String(max_length=100, required=False),
    'rcptSign': schema.String(max_length=100, required=False),
    'sdcDateTime': schema.String(pattern=r'\d{14}', required=False),
})
