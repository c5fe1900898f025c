"""Wire constants of the USSD gateways (see docs/providers/ussd.md)."""

# Africa's Talking: the answer starts with one of these, then the screen
AT_CONTINUE = 'CON '
AT_END = 'END '
# end-of-session notification status -> session outcome
AT_END_STATUS_OUTCOMES = {'Success': 'success', 'Incomplete': 'incomplete', 'Failed': 'failed'}

# MTN MADAPI Messaging USSD API v1 (header x-api-key)
MADAPI_DEFAULT_URL = 'https://api.mtn.com/v1'
MADAPI_SUBSCRIPTION_PATH = '/messages/ussd/subscription'
MADAPI_OUTBOUND_PATH = '/messages/ussd/outbound'
# messageType of a mobile-originated message (begin, continue); any other value closes the session
MADAPI_OPEN_TYPES = frozenset({'0', '1'})
# messageType of our answer
MADAPI_CONTINUE = '1'
MADAPI_END = '2'

GATEWAY_FORMATS = [
    ('africastalking', "Africa's Talking (form, CON/END)"),
    ('mtn_json', "MTN aggregator (JSON)"),
    ('mtn_madapi', "MTN MADAPI (subscription)"),
]

# what replaces a PIN in stored bodies, session inputs and logs
PIN_MASK = 'xxxx'  # never holds '*', the separator of the inputs
