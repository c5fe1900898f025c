"""Provider facts of the SMS gateways (docs/providers/messaging.md) and of the email presets."""

GATEWAY_TYPES = [
    ('africastalking', "Africa's Talking"),
    ('mtn', "MTN SMS V3"),
    ('twilio', "Twilio"),
    ('infobip', "Infobip"),
]

# Live API roots; an empty "API URL" on a gateway means these (Africa's Talking: the SDK's own choice,
# its sandbox when the username is "sandbox").
DEFAULT_API_URLS = {
    'mtn': 'https://api.mtn.com',
    'twilio': 'https://api.twilio.com',
}

# Recipients per request: Africa's Talking and Infobip take a list, MTN about 20-30, Twilio one.
DEFAULT_RECIPIENTS_PER_REQUEST = {'africastalking': 500, 'infobip': 500, 'mtn': 20, 'twilio': 1}

# Africa's Talking send statusCode -> (outcome, sms.sms failure type). Outcomes: 'accepted' (handed to
# the carrier), 'number' (permanent for this number: never retried elsewhere), 'gateway' (this gateway
# cannot send it now: the number is retried on the next gateway).
AT_STATUS_CODES = {
    100: ('accepted', False),  # Processed
    101: ('accepted', False),  # Sent
    102: ('accepted', False),  # Queued
    401: ('gateway', 'sms_acc'),  # RiskHold
    402: ('gateway', 'sms_acc'),  # InvalidSenderId
    403: ('number', 'sms_number_format'),  # InvalidPhoneNumber
    404: ('number', 'sms_number_format'),  # UnsupportedNumberType
    405: ('gateway', 'sms_credit'),  # InsufficientBalance
    406: ('number', 'sms_blacklist'),  # UserInBlacklist
    407: ('number', 'sms_country_not_supported'),  # CouldNotRoute
    409: ('number', 'sms_optout'),  # DoNotDisturbRejection
    500: ('gateway', 'sms_server'),  # InternalServerError
    501: ('gateway', 'sms_server'),  # GatewayError
    502: ('number', 'unknown'),  # RejectedByGateway
}
AT_MISSING_MESSAGE_IDS = frozenset({'', 'None', 'none', 'null'})

# Delivery report status -> ledger state. Final: Success, Failed, Rejected (and Expired, which never
# turns into a delivery); the others mean the carrier still holds the message.
AT_DELIVERY_STATES = {
    'Success': 'delivered',
    'Failed': 'failed',
    'Rejected': 'failed',
    'Expired': 'failed',
    'Sent': 'buffered',
    'Submitted': 'buffered',
    'Buffered': 'buffered',
    'AbsentSubscriber': 'buffered',
}
# failureReason -> delivery error of mail.notification (sms_<value>, see sms.tracker)
AT_FAILURE_REASONS = {
    'InsufficientCredit': 'not_delivered',
    'InvalidLinkId': 'rejected',
    'UserIsInactive': 'invalid_destination',
    'UserInBlackList': 'not_allowed',
    'UserInBlacklist': 'not_allowed',
    'UserAccountSuspended': 'not_allowed',
    'NotNetworkSubcriber': 'invalid_destination',
    'UserNotSubscribedToProduct': 'not_allowed',
    'UserDoesNotExist': 'invalid_destination',
    'DeliveryFailure': 'not_delivered',
}
AT_FAILED_STATUS_ERRORS = {'Rejected': 'rejected', 'Expired': 'expired', 'Failed': 'not_delivered'}

# Twilio error codes that concern the number itself (never retried on another gateway)
TWILIO_NUMBER_ERRORS = {
    21211: 'sms_number_format',
    21614: 'sms_number_format',
    21265: 'sms_number_format',
    21604: 'sms_number_missing',
    21610: 'sms_optout',
    21408: 'sms_country_not_supported',
    21612: 'sms_country_not_supported',
}
TWILIO_DELIVERY_STATES = {
    'delivered': 'delivered', 'read': 'delivered',
    'undelivered': 'failed', 'failed': 'failed',
    'sent': 'buffered',
}
TWILIO_DELIVERY_ERRORS = {
    '30003': 'invalid_destination', '30005': 'invalid_destination', '30006': 'invalid_destination',
    '30004': 'not_allowed', '30007': 'rejected', '30008': 'not_delivered',
}

# Infobip status group -> send outcome / delivery state
INFOBIP_SEND_GROUPS = {'PENDING': 'accepted', 'DELIVERED': 'accepted'}
INFOBIP_NUMBER_REJECTIONS = {
    'REJECTED_DESTINATION': 'sms_number_format',
    'REJECTED_INVALID_DESTINATION': 'sms_number_format',
    'REJECTED_PREFIX_MISSING': 'sms_number_format',
    'REJECTED_DND': 'sms_optout',
    'REJECTED_DESTINATION_NOT_REGISTERED': 'sms_country_not_supported',
}
INFOBIP_DELIVERY_STATES = {
    'DELIVERED': 'delivered', 'UNDELIVERABLE': 'failed', 'EXPIRED': 'failed', 'REJECTED': 'failed',
    'PENDING': 'buffered',
}
INFOBIP_DELIVERY_ERRORS = {'UNDELIVERABLE': 'not_delivered', 'EXPIRED': 'expired', 'REJECTED': 'rejected'}

# MTN does not publish its delivery receipt: only unambiguous statuses change anything.
MTN_DELIVERED = frozenset({'deliveredtoterminal', 'delivered', 'delivrd', 'success'})
MTN_FAILED = {
    'deliveryimpossible': 'not_delivered', 'failed': 'not_delivered', 'undeliverable': 'not_delivered',
    'undelivrd': 'not_delivered', 'expired': 'expired', 'rejected': 'rejected',
}
MTN_ID_KEYS = ('clientCorrelatorId', 'clientCorrelator', 'correlatorId', 'requestId')
MTN_STATUS_KEYS = ('deliveryStatus', 'status', 'deliveryState', 'state')
MTN_NUMBER_KEYS = ('receiverAddress', 'address', 'msisdn', 'destination', 'to')

# Incoming texts that unsubscribe (the whole text, case and punctuation ignored)
STOP_KEYWORDS = frozenset({'STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE'})

# Email: one-click SMTP presets (host, port, encryption, fixed user)
MAIL_PRESETS = [
    ('sendgrid', "SendGrid"),
    ('mailgun', "Mailgun"),
    ('ses', "Amazon SES"),
    ('smtp', "Other SMTP server"),
]
MAILGUN_HOSTS = {'us': 'smtp.mailgun.org', 'eu': 'smtp.eu.mailgun.org'}
SES_REGIONS = [
    ('us-east-1', "US East (N. Virginia)"),
    ('us-west-2', "US West (Oregon)"),
    ('eu-west-1', "Europe (Ireland)"),
    ('eu-central-1', "Europe (Frankfurt)"),
    ('af-south-1', "Africa (Cape Town)"),
    ('ap-south-1', "Asia Pacific (Mumbai)"),
]
