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


def _code(max_length, **kwargs):
    """An optional code or name KRA may leave empty, null or out."""
    return schema.String(max_length=max_length, min_length=0, required=False, **kwargs)


def _number(decimals=4):
    """An optional quantity or amount, as KRA sends it: a number or a numeric string."""
    return schema.Amount(decimals=decimals, required=False)


# selectTrnsPurchaseSalesList: invoices other taxpayers issued to us, read into draft vendor bills
PURCHASE_ITEM = schema.Object({
    'itemCd': _code(20),
    'itemClsCd': _code(10, accept_numbers=True),
    'itemNm': _code(200),
    'qty': _number(),
    'taxTyCd': _code(5),
    'taxAmt': _number(),
    'totAmt': _number(),
})
PURCHASE_SALES = schema.Object({
    'saleList': schema.List(schema.Object({
        'spplrTin': _code(20, upper=True),
        'spplrNm': _code(200),
        'spplrBhfId': _code(2, pattern=r'\d{2}'),
        'spplrInvcNo': _code(38, accept_numbers=True),
        'spplrSdcId': _code(20),
        'rcptTyCd': _code(1),
        'pmtTyCd': _code(2, accept_numbers=True),
        'salesDt': _code(8, accept_numbers=True, pattern=r'\d{8}'),
        'itemList': schema.List(PURCHASE_ITEM, required=False, max_items=10_000),
    }), required=False, max_items=10_000),
})

# selectImportItemList: items of customs declarations, answered with updateImportItem
IMPORT_ITEMS = schema.Object({
    'itemList': schema.List(schema.Object({
        'taskCd': _code(50, accept_numbers=True),
        'itemSeq': schema.Integer(minimum=0, required=False),
        'dclDe': _code(8, accept_numbers=True, pattern=r'\d{8}'),
        'dclNo': _code(50),
        'hsCd': _code(17, accept_numbers=True),
        'itemNm': _code(200),
        'orgnNatCd': _code(5),
        'exptNatCd': _code(5),
        'pkg': _number(),
        'pkgUnitCd': _code(5),
        'qty': _number(),
        'qtyUnitCd': _code(5),
        'totWt': _number(),
        'netWt': _number(),
        'spplrNm': _code(200),
        'agntNm': _code(200),
        'invcFcurAmt': _number(),
        'invcFcurCd': _code(5),
        'invcFcurExcrt': _number(decimals=8),
        'imptItemsttsCd': _code(1, accept_numbers=True),
        'imptItemSttsCd': _code(1, accept_numbers=True),
    }), required=False, max_items=10_000),
})
