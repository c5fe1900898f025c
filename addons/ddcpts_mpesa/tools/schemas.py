"""What Daraja posts to the callback routes, declared once per callback (docs/providers/daraja.md).

Processors read only what these schemas return: a field of the wrong JSON type, with a NUL or another
control character, too long or in the wrong format is refused with a 400 that names it, before any
record is looked up or changed. Daraja is loose with JSON types where it really varies (amounts and
phone numbers as numbers or strings, result codes as ``0`` or ``"0"``), and these schemas accept both.
"""
from decimal import Decimal

from odoo.addons.ddcpts_base.tools import schema
from odoo.addons.ddcpts_base.tools.schema import MISSING, SchemaError
from odoo.addons.ddcpts_mpesa.tools import daraja

RECEIPT_PATTERN = r'[A-Z0-9]{10}'  # MpesaReceiptNumber = C2B TransID = B2C TransactionReceipt: NLJ7RT61SV
CONVERSATION_PATTERN = r'[A-Za-z0-9][A-Za-z0-9_.:-]*'  # AG_20240706_2010364430d9bbdaf872, 53e3-4aa8-…
PAYMENT_AMOUNT = {'minimum': Decimal('0.01'), 'maximum': Decimal(10_000_000)}


class NamedItems(schema.Field):
    """Daraja's ``[{"Name": "Amount", "Value": 1.0}, {"Name": "Balance"}]`` lists, read by name.

    Each declared name is validated by its field (an item without ``Value`` counts as missing) and the
    result is a dict by name; undeclared names are ignored, a declared one given twice is refused.
    A single object where a list is expected (``ReferenceItem``) is read as a list of one.

    :param str key: the item's name key: ``Name`` (STK metadata) or ``Key`` (result parameters)
    """

    def __init__(self, fields, *, key='Name', max_items=100, **kwargs):
        super().__init__(**kwargs)
        self.fields = fields
        self.key = key
        self.max_items = max_items

    def clean(self, value, path):
        items = [value] if isinstance(value, dict) else value
        if not isinstance(items, list):
            raise SchemaError(path, "must be a list of name/value items")
        if len(items) > self.max_items:
            raise SchemaError(path, f"holds more than {self.max_items} items")
        values = {}
        for index, item in enumerate(items):
            name = item.get(self.key) if isinstance(item, dict) else None
            if not isinstance(name, str):
                raise SchemaError(f'{path}[{index}]', f"must be an object with a {self.key} string")
            if name in self.fields:
                if name in values:
                    raise SchemaError(f'{path}.{name}', "is given twice")
                values[name] = item.get('Value', MISSING)
        return {name: field.validate(values.get(name, MISSING), f'{path}.{name}')
                for name, field in self.fields.items()}


class ResultCode(schema.Field):
    """A result code: ``0``, ``"0"`` and ``0.0`` are the integer 0; alphanumeric codes (``R000001``,
    ``SVC0403``) stay strings."""

    TEXT = schema.String(max_length=20, pattern=r'[A-Za-z0-9.]+')

    def clean(self, value, path):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if not isinstance(value, str):
            raise SchemaError(path, "must be a number or a code")
        code = self.TEXT.clean(value, path)
        return int(code) if code.isdigit() else code


class Timestamp(schema.Field):
    """A Daraja time as a naive UTC datetime: ``YYYYMMDDHHmmss`` (as a number or a string) on STK and C2B
    callbacks, also ``06.07.2024 22:48:52`` and the like on asynchronous results (Nairobi time)."""

    TEXT = schema.String(max_length=25, accept_numbers=True)

    def __init__(self, *, compact_only=True, **kwargs):
        super().__init__(**kwargs)
        self.compact_only = compact_only

    def clean(self, value, path):
        text = self.TEXT.clean(value, path)
        if self.compact_only and not (len(text) == 14 and text.isdigit()):
            raise SchemaError(path, "must be a time written YYYYMMDDHHmmss")
        moment = daraja.parse_timestamp(text)
        if moment is None:
            raise SchemaError(path, "is not a date and time")
        return moment


def receipt(**kwargs):
    """An M-Pesa receipt number: 10 letters and digits (upper-cased)."""
    return schema.String(min_length=10, max_length=10, pattern=RECEIPT_PATTERN, upper=True, **kwargs)


def conversation_id(**kwargs):
    return schema.String(max_length=100, pattern=CONVERSATION_PATTERN, **kwargs)


def description(**kwargs):
    return schema.String(max_length=1000, min_length=0, multiline=True, required=False, **kwargs)


def name(**kwargs):
    return schema.String(max_length=200, min_length=0, required=False, **kwargs)


class Envelope(schema.Field):
    """The object at ``keys`` inside the body (``Body.stkCallback``), validated by ``inner``.

    :param bool optional: the body may also be the object itself (asynchronous results sent without
        their ``Result`` wrapper)
    """

    def __init__(self, keys, inner, *, optional=False, **kwargs):
        super().__init__(**kwargs)
        self.keys = keys
        self.inner = inner
        self.optional = optional

    def clean(self, value, path):
        where = '.'.join(self.keys)
        node = value
        if self.optional and isinstance(value, dict) and self.keys[0] not in value:
            return self.inner.validate(value, path)
        for key in self.keys:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            raise SchemaError(where, "is missing or not an object")
        return self.inner.validate(node, where)


# STK push result, posted to the CallBackURL of the push
STK_CALLBACK = Envelope(('Body', 'stkCallback'), schema.Object({
    'MerchantRequestID': schema.String(max_length=64, pattern=r'[A-Za-z0-9_.-]+', required=False),
    'CheckoutRequestID': schema.String(max_length=80, pattern=r'ws_CO_[A-Za-z0-9_-]+'),
    'ResultCode': schema.Integer(),
    'ResultDesc': description(),
    'CallbackMetadata': schema.Object({
        'Item': NamedItems({
            'Amount': schema.Amount(**PAYMENT_AMOUNT, required=False),
            'MpesaReceiptNumber': receipt(required=False),
            'TransactionDate': Timestamp(required=False),
            'PhoneNumber': schema.String(max_length=15, pattern=r'\d{9,15}', accept_numbers=True, required=False),
        }),
    }, required=False),
}))

# C2B validation and confirmation (the same body); v2 masks the MSISDN, v1 sends its SHA-256
C2B_PAYMENT = schema.Object({
    'TransactionType': name(),
    'TransID': receipt(),
    'TransTime': Timestamp(required=False),
    'TransAmount': schema.Amount(**PAYMENT_AMOUNT),
    'BusinessShortCode': schema.String(max_length=10, pattern=r'\d+', accept_numbers=True, required=False),
    'BillRefNumber': schema.String(max_length=20, min_length=0, accept_numbers=True, required=False,
                                   default=''),
    'InvoiceNumber': name(accept_numbers=True),
    'MSISDN': schema.String(max_length=64, min_length=0, pattern=r'[0-9A-Za-z* +]*', accept_numbers=True,
                            required=False, default=''),
    'FirstName': name(),
    'MiddleName': name(),
    'LastName': name(),
})


def result_schema(parameters=None):
    """An asynchronous result (B2C, Transaction Status, Account Balance, Reversal) or queue timeout.

    ``ResultCode`` is optional here so that a result about an unknown request is answered 404; the
    processor refuses a known request's result without it before changing anything.
    """
    fields = {
        'ResultType': schema.Integer(required=False),
        'ResultCode': ResultCode(required=False),
        'ResultDesc': description(),
        'OriginatorConversationID': conversation_id(required=False),
        'ConversationID': conversation_id(required=False),
        'TransactionID': schema.String(max_length=10, min_length=0, pattern=f'(?:{RECEIPT_PATTERN})?', upper=True,
                                       required=False),
    }
    if parameters:
        fields['ResultParameters'] = schema.Object({
            'ResultParameter': NamedItems(parameters, key='Key', required=False),
        }, required=False)
    return Envelope(('Result',), schema.Object(fields), optional=True)


B2C_RESULT = result_schema({
    'TransactionAmount': schema.Amount(**PAYMENT_AMOUNT, required=False),
    'TransactionReceipt': receipt(required=False),
    'ReceiverPartyPublicName': name(),
    'TransactionCompletedDateTime': Timestamp(compact_only=False, required=False),
})
STATUS_RESULT = result_schema({
    'TransactionStatus': name(),
    'ReceiptNo': receipt(required=False),
    'Amount': schema.Amount(**PAYMENT_AMOUNT, required=False),
    'DebitPartyName': name(),
    'CreditPartyName': name(),
    'ReasonType': name(),
    'InitiatedTime': Timestamp(compact_only=False, required=False),
    'FinalisedTime': Timestamp(compact_only=False, required=False),
})
BALANCE_RESULT = result_schema({
    'AccountBalance': schema.String(max_length=2000, min_length=0, required=False),
    'BOCompletedTime': Timestamp(compact_only=False, required=False),
})
REVERSAL_RESULT = result_schema({
    'OriginalTransactionID': receipt(required=False),
    'Amount': schema.Amount(**PAYMENT_AMOUNT, required=False),
    'CreditPartyPublicName': name(),
})
QUEUE_TIMEOUT = result_schema()
REQUEST_RESULTS = {'status': STATUS_RESULT, 'balance': BALANCE_RESULT, 'reversal': REVERSAL_RESULT}

# STK query answer (synchronous): ResultCode only once the customer acted
STK_QUERY_ANSWER = schema.Object({
    'ResponseCode': ResultCode(required=False),
    'ResultCode': schema.Integer(required=False),
    'ResultDesc': description(),
})


def stk_query_result(data):
    """``(ResultCode, ResultDesc)`` of an STK query answer that knows the outcome, else None: still being
    processed, an error body, or an answer that cannot be read (asked again later, never guessed)."""
    try:
        answer = STK_QUERY_ANSWER.validate(data)
    except SchemaError:
        return None
    if answer['ResponseCode'] != 0 or answer['ResultCode'] is None:
        return None
    return answer['ResultCode'], answer['ResultDesc']
