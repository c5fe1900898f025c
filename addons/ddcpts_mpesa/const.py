"""Safaricom Daraja facts (docs/providers/daraja.md): hosts, endpoints, limits and result codes."""
from datetime import timedelta

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

API_URLS = {
    'sandbox': 'https://sandbox.safaricom.co.ke',
    'production': 'https://api.safaricom.co.ke',
}

# Callback routes: /ddcpts/daraja/<provider id>/<token>/<event>
CALLBACK_PREFIX = '/ddcpts/daraja'
# Safaricom refuses C2B URLs containing these words (case-insensitive)
FORBIDDEN_URL_WORDS = ('m-pesa', 'mpesa', 'safaricom', 'exe', 'exec', 'cmd', 'sql', 'query')

OAUTH_PATH = '/oauth/v1/generate'
STK_PUSH_PATH = '/mpesa/stkpush/v1/processrequest'
STK_QUERY_PATH = '/mpesa/stkpushquery/v1/query'
C2B_REGISTER_PATH = '/mpesa/c2b/v2/registerurl'
B2C_PATH = '/mpesa/b2c/v3/paymentrequest'
TRANSACTION_STATUS_PATH = '/mpesa/transactionstatus/v1/query'
ACCOUNT_BALANCE_PATH = '/mpesa/accountbalance/v1/query'
REVERSAL_PATH = '/mpesa/reversal/v1/request'

SUPPORTED_CURRENCIES = ('KES',)
DEFAULT_PAYMENT_METHOD_CODES = {'mpesa'}

# Limits of one transaction, in whole shillings
STK_MIN_AMOUNT, STK_MAX_AMOUNT = 1, 250_000
B2C_MIN_AMOUNT, B2C_MAX_AMOUNT = 10, 250_000
ACCOUNT_REFERENCE_LENGTH = 12
TRANSACTION_DESC_LENGTH = 13
REMARKS_LENGTH = 100

# Request-level error codes (errorCode of an error body)
ERROR_INVALID_TOKEN = '404.001.03'
ERROR_DUPLICATE_ORIGINATOR = '500.002.1001'
REQUEST_ERROR_MESSAGES = {
    '500.001.1001': _lt("A transaction is already in process for this number; wait a minute and try again (%s)."),
    '500.003.02': _lt("M-Pesa is receiving too many requests; try again in a moment (%s)."),
    '500.003.03': _lt("The M-Pesa API quota of this account is used up (%s)."),
}

# STK Push result codes -> what the customer and the clerk are told
STK_SUCCESS = 0
STK_CANCELLED = 1032
STK_RESULT_MESSAGES = {
    1: _lt("The M-Pesa balance was not enough for this payment."),
    2: _lt("The amount is below the M-Pesa minimum."),
    3: _lt("The amount is above the M-Pesa maximum."),
    4: _lt("The payment would exceed the customer's daily M-Pesa limit."),
    8: _lt("The payment would exceed the maximum M-Pesa balance."),
    17: _lt("The same amount was paid to the same account less than two minutes ago."),
    1001: _lt("Another M-Pesa transaction is in progress on this phone; try again in a minute."),
    1019: _lt("The payment request expired before it was approved on the phone."),
    1025: _lt("The payment prompt could not be shown on the phone."),
    1032: _lt("The payment was cancelled on the phone."),
    1037: _lt("The phone could not be reached (switched off or out of network). Please try again."),
    2001: _lt("The M-Pesa PIN entered was wrong."),
    2028: _lt("This M-Pesa account does not accept this type of payment."),
    8006: _lt("The M-Pesa PIN of this phone is locked."),
}

# STK query backoff: first query after a minute, then doubling, until the request can no longer complete
STK_QUERY_FIRST_DELAY = timedelta(seconds=60)
STK_QUERY_MAX_DELAY = timedelta(minutes=15)
STK_QUERY_DEADLINE = timedelta(hours=24)
STK_QUERY_BATCH = 50

# C2B validation answers
C2B_ACCEPT = {'ResultCode': '0', 'ResultDesc': 'Accepted'}
C2B_REJECT_INVALID_ACCOUNT = 'C2B00012'
C2B_REJECT_INVALID_AMOUNT = 'C2B00013'
C2B_CONFIRMATION_ACK = {'ResultCode': 0, 'ResultDesc': 'Success'}
CALLBACK_ACK = {'ResultCode': 0, 'ResultDesc': 'Accepted'}

# B2C
B2C_COMMANDS = [
    ('BusinessPayment', "Business Payment"),
    ('SalaryPayment', "Salary Payment"),
    ('PromotionPayment', "Promotion Payment"),
]
B2C_RESULT_MESSAGES = {
    1: _lt("The B2C utility account does not hold enough money."),
    2: _lt("The amount is below the M-Pesa minimum."),
    3: _lt("The amount is above the M-Pesa maximum."),
    4: _lt("The amount exceeds the daily transfer limit."),
    8: _lt("The recipient's M-Pesa balance would exceed its maximum."),
    11: _lt("The B2C account is not active."),
    21: _lt("The initiator is not allowed to make this payment."),
    2001: _lt("The initiator name or password is wrong."),
    2006: _lt("The B2C account is not active."),
    2028: _lt("The initiator is not allowed to make this type of payment."),
    2040: _lt("The recipient is not a registered M-Pesa customer."),
    8006: _lt("The initiator's security credential is locked."),
}
# Transaction Status: the original transaction is final with these TransactionStatus values
TRANSACTION_COMPLETED = 'Completed'
TRANSACTION_FAILED = ('Failed', 'Declined', 'Cancelled', 'Expired')

# Reversal result codes
REVERSAL_ALREADY_DONE = 'R000001'
REVERSAL_INVALID_ORIGINAL = 'R000002'

# Org-portal statement: column titles as downloaded (CSV and XLSX)
STATEMENT_COLUMNS = {
    'receipt': 'Receipt No.',
    'completed_at': 'Completion Time',
    'initiated_at': 'Initiation Time',
    'details': 'Details',
    'status': 'Transaction Status',
    'paid_in': 'Paid In',
    'withdrawn': 'Withdrawn',
    'balance': 'Balance',
    'reason_type': 'Reason Type',
    'other_party': 'Other Party Info',
    'account_number': 'A/C No.',
}
STATEMENT_REQUIRED_COLUMNS = ('receipt', 'completed_at', 'details', 'status', 'paid_in', 'withdrawn', 'balance')
STATEMENT_COMPLETED = 'completed'
# what identifies charge and payout rows in Details / Reason Type
STATEMENT_CHARGE_WORDS = ('charge',)
STATEMENT_PAYOUT_WORDS = ('business payment', 'salary payment', 'promotion payment')
STATEMENT_REVERSAL_WORDS = ('reversal',)

# Safaricom's clock
TIMEZONE = 'Africa/Nairobi'
