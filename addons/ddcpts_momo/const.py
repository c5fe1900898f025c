"""MTN MoMo Open API facts (docs/providers/momo.md): hosts, markets, paths, statuses and reasons."""
from datetime import timedelta

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

SANDBOX_URL = 'https://sandbox.momodeveloper.mtn.com'

# X-Target-Environment -> (ISO country, currency) of the market; the sandbox moves EUR
TARGET_ENVIRONMENTS = {
    'sandbox': (None, 'EUR'),
    'mtnghana': ('GH', 'GHS'),
    'mtnuganda': ('UG', 'UGX'),
    'mtnrwanda': ('RW', 'RWF'),
    'mtnzambia': ('ZM', 'ZMW'),
    'mtncameroon': ('CM', 'XAF'),
    'mtnivorycoast': ('CI', 'XOF'),
    'mtnbenin': ('BJ', 'XOF'),
    'mtncongo': ('CG', 'XAF'),
    'mtnswaziland': ('SZ', 'SZL'),
    'mtnguineaconakry': ('GN', 'GNF'),
    'mtnliberia': ('LR', 'LRD'),
    'mtnsouthafrica': ('ZA', 'ZAR'),
}
TARGET_ENVIRONMENT_SELECTION = [
    ('sandbox', "Sandbox"),
    ('mtnghana', "Ghana"),
    ('mtnuganda', "Uganda"),
    ('mtnrwanda', "Rwanda"),
    ('mtnzambia', "Zambia"),
    ('mtncameroon', "Cameroon"),
    ('mtnivorycoast', "Côte d'Ivoire"),
    ('mtnbenin', "Benin"),
    ('mtncongo', "Congo-Brazzaville"),
    ('mtnswaziland', "Eswatini"),
    ('mtnguineaconakry', "Guinea"),
    ('mtnliberia', "Liberia"),
    ('mtnsouthafrica', "South Africa"),
]

PRODUCTS = ('collection', 'disbursement')

# Callback routes: /ddcpts/momo/<provider id>/<token>/<product>/<X-Reference-Id>
CALLBACK_PREFIX = '/ddcpts/momo'

API_USER_PATH = '/v1_0/apiuser'
TOKEN_PATH = '/{product}/token/'
REQUEST_TO_PAY_PATH = '/collection/v1_0/requesttopay'
TRANSFER_PATH = '/disbursement/v1_0/transfer'
BALANCE_PATH = '/{product}/v1_0/account/balance'
ACCOUNT_HOLDER_PATH = '/collection/v1_0/accountholder/msisdn/{msisdn}/active'

MESSAGE_LENGTH = 160  # payerMessage and payeeNote

STATUS_PENDING = 'PENDING'
STATUS_SUCCESSFUL = 'SUCCESSFUL'
STATUS_FAILED = 'FAILED'
STATUSES = {STATUS_PENDING, STATUS_SUCCESSFUL, STATUS_FAILED}

REASON_REJECTED = 'APPROVAL_REJECTED'
REASON_MESSAGES = {
    'APPROVAL_REJECTED': _lt("The customer declined the payment on the phone."),
    'EXPIRED': _lt("The payment request expired before the customer approved it."),
    'COULD_NOT_PERFORM_TRANSACTION': _lt("The customer did not approve the payment in time (about 5 minutes)."),
    'PAYER_NOT_FOUND': _lt("This number has no MTN Mobile Money account."),
    'PAYEE_NOT_FOUND': _lt("This number has no MTN Mobile Money account."),
    'NOT_ENOUGH_FUNDS': _lt("The Mobile Money balance was not enough for this payment."),
    'PAYER_LIMIT_REACHED': _lt("The payment would exceed the customer's Mobile Money limit."),
    'PAYEE_NOT_ALLOWED_TO_RECEIVE': _lt("This Mobile Money account may not receive money."),
    'PAYER_NOT_ALLOWED': _lt("This Mobile Money account may not make this payment."),
    'NOT_ALLOWED': _lt("MTN does not allow this operation for this account."),
    'NOT_ALLOWED_TARGET_ENVIRONMENT': _lt("The MoMo account is not allowed in this target environment."),
    'INVALID_CALLBACK_URL_HOST': _lt("The callback host differs from the one registered with MTN."),
    'INVALID_CURRENCY': _lt("MTN MoMo refused the currency of this payment."),
    'TRANSACTION_CANCELED': _lt("The payment was cancelled."),
    'INTERNAL_PROCESSING_ERROR': _lt("MTN could not process the payment (internal error). Please try again."),
    'SERVICE_UNAVAILABLE': _lt("MTN Mobile Money is unavailable at the moment. Please try again later."),
}
ERROR_RESOURCE_EXISTS = 'RESOURCE_ALREADY_EXIST'

# Status polling: callbacks are sent once and often lost
POLL_FIRST_DELAY = timedelta(seconds=30)
POLL_MAX_DELAY = timedelta(minutes=10)
POLL_DEADLINE = timedelta(hours=2)  # MTN gives up on an unapproved request after about 5 minutes
UNKNOWN_AFTER = timedelta(minutes=15)  # a request MTN still does not know after this never reached it
STATUS_PAGE_QUERY_INTERVAL = timedelta(seconds=5)  # while the customer waits on the status page
POLL_BATCH = 200
POLL_CHUNK = 20
