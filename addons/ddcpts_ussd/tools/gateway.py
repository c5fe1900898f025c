"""The three request shapes of USSD gateways, read into one :class:`UssdRequest`, and the answers.

One callback route serves a service whatever its gateway: the shape is told by the content type and
the fields (docs/providers/ussd.md):

- Africa's Talking posts a form (``sessionId, serviceCode, phoneNumber, networkCode, text``) and
  reads ``CON …``/``END …`` as text; its end-of-session notification (``status``,
  ``durationInMillis``…) is posted to the same URL;
- MTN aggregators post JSON ``sessionId, msisdn, ussdString, serviceCode`` and read JSON back;
- MTN MADAPI posts each mobile-originated message (JSON with ``messageType``) and is answered
  through its API (``POST /messages/ussd/outbound``).
"""
from dataclasses import dataclass, field

from odoo.addons.ddcpts_base.exceptions import CallbackInputError
from odoo.addons.ddcpts_base.tools import schema
from odoo.addons.ddcpts_ussd import const

SESSION_ID = schema.String(max_length=100, pattern=r'[\w.:-]+', accept_numbers=True)
SERVICE_CODE = schema.String(max_length=40, pattern=r'[*#\d]+', accept_numbers=True)
PHONE = schema.String(max_length=20, pattern=r'(tel:)?\+?\d{6,15}', accept_numbers=True)
# what the caller typed: any printable text (a bad option is re-prompted), never control characters
HISTORY = schema.String(max_length=1000, min_length=0, required=False, default='', accept_numbers=True)

AT_REQUEST = schema.Object({
    'sessionId': SESSION_ID,
    'serviceCode': SERVICE_CODE,
    'phoneNumber': PHONE,
    'networkCode': schema.String(max_length=10, pattern=r'\d+', required=False, accept_numbers=True),
    'text': HISTORY,
})
AT_END_NOTIFICATION = schema.Object({
    'sessionId': SESSION_ID,
    'serviceCode': SERVICE_CODE,
    'phoneNumber': PHONE,
    'networkCode': schema.String(max_length=10, pattern=r'\d+', required=False, accept_numbers=True),
    'status': schema.String(choices=set(const.AT_END_STATUS_OUTCOMES)),
    'cost': schema.String(max_length=40, required=False),
    'durationInMillis': schema.Integer(minimum=0, required=False),
    'hopsCount': schema.Integer(minimum=0, required=False),
    'input': HISTORY,
    'lastAppResponse': schema.String(max_length=1000, min_length=0, multiline=True, required=False),
    'errorMessage': schema.String(max_length=500, min_length=0, required=False),
    'date': schema.String(max_length=40, required=False),
})
MTN_REQUEST = schema.Object({
    'sessionId': SESSION_ID,
    'msisdn': PHONE,
    'serviceCode': SERVICE_CODE,
    'ussdString': HISTORY,
})
MADAPI_REQUEST = schema.Object({
    'sessionId': SESSION_ID,
    'messageType': schema.String(choices=set(const.MADAPI_MESSAGE_TYPES), accept_numbers=True),
    'msisdn': PHONE,
    'serviceCode': SERVICE_CODE,
    # the dialled code (Begin), the caller's input (Continue) or the reason of a Cancel
    'ussdString': HISTORY,
    # network details of the subscriber: checked, not kept
    'cellId': schema.String(max_length=40, required=False, accept_numbers=True),
    'language': schema.String(max_length=20, required=False),
    'imsi': schema.String(max_length=15, pattern=r'\d{5,15}', required=False, accept_numbers=True),
})
NAVIGATION_KEYS = frozenset({'0', '00'})
# the fields carrying what the caller typed, per shape
INPUT_FIELDS = {'africastalking': 'text', 'at_end': 'input', 'mtn_json': 'ussdString', 'mtn_madapi': 'ussdString'}


@dataclass
class UssdRequest:
    kind: str  # africastalking, at_end, mtn_json, mtn_madapi
    session_ref: str
    service_code: str
    phone: str  # E.164
    inputs: list = field(default_factory=list)  # the whole history, or the latest input (mtn_madapi)
    network_code: str = ''
    values: dict = field(default_factory=dict)  # the validated payload

    @property
    def cumulative(self):
        """Whether ``inputs`` is the whole history (else only the latest input: MADAPI)."""
        return self.kind != 'mtn_madapi'


def detect(payload, content_type):
    """The shape of a parsed body: ``africastalking``, ``at_end``, ``mtn_json`` or ``mtn_madapi``."""
    if not isinstance(payload, dict):
        return None
    if content_type == 'form':
        return 'at_end' if 'status' in payload and 'phoneNumber' in payload else 'africastalking'
    return 'mtn_madapi' if 'messageType' in payload else 'mtn_json'


def split_inputs(text, service_code=''):
    """The inputs of a ``*``-joined history; a leading dialled string (``*384*55#``, which some MTN
    gateways send first) is not an input."""
    text = text or ''
    if text.startswith('*') and text.endswith('#') or (service_code and text == service_code):
        return []
    return text.split('*') if text else []


def parse(callback):
    """Read a stored callback into a :class:`UssdRequest`.

    :raise CallbackInputError: with a ``reply`` in the gateway's shape, so the caller reads a polite
        end of session while the callback is stored as failed
    """
    try:
        payload = callback._ddcpts_payload()
    except CallbackInputError as error:
        raise CallbackInputError(str(error), reply=error_reply(None, None)) from error
    kind = detect(payload, callback.content_type)
    shape = {'africastalking': AT_REQUEST, 'at_end': AT_END_NOTIFICATION,
             'mtn_json': MTN_REQUEST, 'mtn_madapi': MADAPI_REQUEST}[kind]
    try:
        values = shape.validate(payload)
    except schema.SchemaError as error:
        raise CallbackInputError(str(error), reply=error_reply(kind, payload)) from error
    phone = values.get('phoneNumber') or values['msisdn']
    phone = phone.removeprefix('tel:')
    return UssdRequest(
        kind=kind,
        session_ref=values['sessionId'],
        service_code=values['serviceCode'],
        phone=phone if phone.startswith('+') else f'+{phone}',
        inputs=split_inputs(values[INPUT_FIELDS[kind]], values['serviceCode']) if kind != 'mtn_madapi'
        else [values['ussdString']] if values['messageType'] == const.MADAPI_CONTINUE else [],
        network_code=values.get('networkCode') or '',
        values=values,
    )


def reply(kind, request_values, text, final):
    """The answer of the route in the gateway's shape (MADAPI gets an acknowledgement; the screen
    goes through its API)."""
    if kind in ('mtn_json', 'mtn_madapi') and isinstance(request_values, dict):
        if kind == 'mtn_madapi':
            return dict(const.MADAPI_ACKNOWLEDGEMENT)
        return {
            'sessionId': request_values.get('sessionId'),
            'msisdn': request_values.get('msisdn'),
            'serviceCode': request_values.get('serviceCode'),
            'ussdString': text,
            'continueSession': not final,
        }
    return (const.AT_END if final else const.AT_CONTINUE) + text


def error_reply(kind, payload):
    """The polite end of a session whose request could not be read."""
    text = "Sorry, this service cannot read your request. Please try again later."
    if kind in ('mtn_json', 'mtn_madapi') and isinstance(payload, dict):
        values = {key: payload.get(key) for key in ('sessionId', 'msisdn', 'serviceCode')
                  if isinstance(payload.get(key), (str, int))}
        return reply('mtn_json', values, text, True)
    return reply('africastalking', None, text, True)


def madapi_outbound(request, text, final):
    """The body of ``POST /messages/ussd/outbound`` carrying the screen of a MADAPI session."""
    return {
        'sessionId': request.session_ref,
        'messageType': const.MADAPI_END if final else const.MADAPI_CONTINUE,
        'msisdn': request.values['msisdn'],
        'serviceCode': request.service_code,
        'ussdString': text,
    }


def madapi_succeeded(response):
    """Whether MADAPI accepted a call: a 2xx answer whose ``statusCode``, when there is one, is ``0000``."""
    if not response.ok:
        return False
    try:
        answer = response.json()
    except ValueError:
        return True
    return not isinstance(answer, dict) or answer.get('statusCode', const.MADAPI_SUCCESS) == const.MADAPI_SUCCESS


def madapi_error(response):
    """MADAPI's explanation of a refused call (its ``Error``: ``statusCode``, ``statusMessage``), or the text."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if isinstance(answer, dict) and answer.get('statusMessage'):
        return f"{answer.get('statusCode', '')} {answer['statusMessage']}".strip()[:300]
    return response.text[:300]


def mask_inputs(payload, kind, positions, first_position=0):
    """``payload`` with the inputs at ``positions`` (indexes in the session's history) masked.

    :param first_position: index in the history of the payload's first input (MADAPI sends only the
        latest one)
    """
    name = INPUT_FIELDS.get(kind)
    text = payload.get(name) if name else None
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)  # the schema accepts inputs sent as JSON numbers: a PIN may come as one
    if not isinstance(text, str) or not text:
        return payload
    if kind == 'mtn_madapi':
        return dict(payload, **{name: mask_input(text, first_position, positions)})
    return dict(payload, **{name: '*'.join(mask_input(part, index, positions)
                                           for index, part in enumerate(text.split('*')))})


def mask_input(text, position, positions):
    """The input, or the mask when it answers a PIN prompt (``0``/``00``, back and home, are kept)."""
    return const.PIN_MASK if position in positions and text not in NAVIGATION_KEYS else text
