"""Wire constants of the USSD gateways (see docs/providers/ussd.md)."""

# Africa's Talking: the answer starts with one of these, then the screen
AT_CONTINUE = 'CON '
AT_END = 'END '
# end-of-session notification status -> session outcome
AT_END_STATUS_OUTCOMES = {'Success': 'success', 'Incomplete': 'incomplete', 'Failed': 'failed'}

# MTN MADAPI "Messaging USSD API" v1 (docs/providers/ussd.md: MTN's published swagger; header x-api-key)
MADAPI_DEFAULT_URL = 'https://api.mtn.com/v1'
MADAPI_SUBSCRIPTION_PATH = '/messages/ussd/subscription'  # POST; DELETE .../<subscriptionId>
MADAPI_OUTBOUND_PATH = '/messages/ussd/outbound'
# messageType, a string both ways: 0 Begin, 1 Continue, 2 End, 3 Notification, 4 Cancel, 5 Timeout
MADAPI_MESSAGE_TYPES = {'0': 'Begin', '1': 'Continue', '2': 'End', '3': 'Notification', '4': 'Cancel',
                        '5': 'Timeout'}
MADAPI_BEGIN, MADAPI_CONTINUE, MADAPI_END, MADAPI_CANCEL = '0', '1', '2', '4'
# a mobile-originated message of these types asks for a screen
MADAPI_OPEN_TYPES = frozenset({MADAPI_BEGIN, MADAPI_CONTINUE})
# the others close the session with this outcome (a Notification changes nothing)
MADAPI_CLOSING_OUTCOMES = {MADAPI_END: 'incomplete', MADAPI_CANCEL: 'incomplete', '5': 'timeout'}
# statusCode of a MADAPI answer that succeeded (its canonical response codes are 4 characters)
MADAPI_SUCCESS = '0000'
# our HTTP answer to a mobile-originated message (the screen goes through the outbound API); MTN does
# not document what it expects here, so it is MADAPI's own success envelope
MADAPI_ACKNOWLEDGEMENT = {'statusCode': MADAPI_SUCCESS, 'statusMessage': 'Accepted'}

GATEWAY_FORMATS = [
    ('africastalking', "Africa's Talking (form, CON/END)"),
    ('mtn_json', "MTN aggregator (JSON)"),
    ('mtn_madapi', "MTN MADAPI (subscription)"),
]

# what replaces a PIN in stored bodies, session inputs and logs
PIN_MASK = 'xxxx'  # never holds '*', the separator of the inputs
