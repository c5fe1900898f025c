"""KRA stock in/out types (code list 12)."""

STOCK_IN_TYPES = [
    ('01', "In: import"),
    ('02', "In: purchase"),
    ('03', "In: return"),
    ('04', "In: stock movement"),
    ('05', "In: processing"),
    ('06', "In: adjustment"),
]
STOCK_OUT_TYPES = [
    ('11', "Out: sale"),
    ('12', "Out: return"),
    ('13', "Out: stock movement"),
    ('14', "Out: processing"),
    ('15', "Out: discarding"),
    ('16', "Out: adjustment"),
]
STOCK_TYPES = STOCK_IN_TYPES + STOCK_OUT_TYPES
# what a picking of each operation type is, and what its return is
DEFAULT_TYPES = {'incoming': '02', 'outgoing': '11'}
RETURN_TYPES = {'incoming': '03', 'outgoing': '12'}
