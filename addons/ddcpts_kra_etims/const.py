"""KRA eTIMS OSCU constants (docs/providers/etims.md)."""

API_URLS = {
    'test': 'https://etims-api-sbx.kra.go.ke/etims-api/',
    'production': 'https://etims-api.kra.go.ke/etims-api/',
}
# host of the receipt verification page encoded in the QR code printed on invoices
QR_HOSTS = {
    'test': 'https://etims-sbx.kra.go.ke',
    'production': 'https://etims.kra.go.ke',
}
QR_PATH = '/common/link/etims/receipt/indexEtimsReceiptData?Data='

DEFAULT_TIMEOUT = 30  # seconds: eTIMS is often congested
KRA_TIMEZONE = 'Africa/Nairobi'
DATETIME_FORMAT = '%Y%m%d%H%M%S'
DATE_FORMAT = '%Y%m%d'
FIRST_REQUEST_DATE = '20180101000000'  # lastReqDt of a list never fetched

# result codes
SUCCESS = '000'
NO_NEW_DATA = '001'
DEVICE_ALREADY_INSTALLED = '902'
DUPLICATE = '994'
# answers after which nothing was stored and the same request may simply be sent again later
TRANSIENT_RESULT_CODES = frozenset({'990', '999'})

# tax types (code class 04) and their rates, used until the code list is synced
TAX_TYPES = [
    ('A', "A - Exempt"),
    ('B', "B - 16% VAT"),
    ('C', "C - Zero rated (0%)"),
    ('D', "D - Non-VAT"),
    ('E', "E - 8% VAT"),
]
TAX_RATES = {'A': 0.0, 'B': 16.0, 'C': 0.0, 'D': 0.0, 'E': 8.0}

PAYMENT_TYPES = [
    ('01', "Cash"),
    ('02', "Credit"),
    ('03', "Cash/Credit"),
    ('04', "Bank cheque"),
    ('05', "Debit/credit card"),
    ('06', "Mobile money"),
    ('07', "Other"),
]
REFUND_REASONS = [
    ('01', "Missing quantity"),
    ('02', "Missing data"),
    ('03', "Damaged"),
    ('04', "Wasted"),
    ('05', "Raw material shortage"),
    ('06', "Refund"),
]
ITEM_TYPES = [
    ('1', "Raw material"),
    ('2', "Finished product"),
    ('3', "Service"),
]
IMPORT_ITEM_STATUSES = [
    ('1', "Unsent"),
    ('2', "Waiting"),
    ('3', "Approved"),
    ('4', "Rejected"),
]
IMPORT_APPROVED = '3'
IMPORT_REJECTED = '4'

# code classes of the lists synced with selectCodeList
CODE_CLASS_TAX_TYPE = '04'
CODE_CLASS_QUANTITY_UNIT = '10'
CODE_CLASS_PACKAGING_UNIT = '17'

# seconds waited before the 1st, 2nd, … retry of a document eTIMS did not answer; then the last one, forever
QUEUE_RETRY_DELAYS = (60, 2 * 60, 5 * 60, 10 * 60, 30 * 60, 60 * 60)
QUEUE_BATCH_SIZE = 500
# seconds, on top of the device's timeout, a document sent to eTIMS stays "in flight": other workers
# leave it alone meanwhile, and send it again after it only when its sender died mid-call
IN_FLIGHT_MARGIN = 60
# documents a queue's run numbers and builds ahead of KRA's answers (one request is on the wire at a
# time; the others wait, numbered and committed, for their turn)
SEND_AHEAD = 20
# seconds after its numbering within which a document's request is started, else it is not sent in
# this run (its number is given back): bounds how long documents stay in flight
SEND_WINDOW = 60
# seconds a run with few documents ahead waits for an answer before it looks for newly queued ones
SEND_POLL = 0.05
# purchase confirmations retried per transaction by the queue cron
PURCHASE_CHUNK = 10
