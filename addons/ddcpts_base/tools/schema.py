"""Declarative checks of what providers and external clients send: one validation layer for all.

A processor declares the shape it relies on and reads only the cleaned result, never the raw body::

    STK_CALLBACK = schema.Object({
        'Body': schema.Object({'stkCallback': schema.Object({
            'CheckoutRequestID': schema.String(max_length=64, pattern=r'[\\w-]+'),
            'ResultCode': schema.Integer(),
            'ResultDesc': schema.String(max_length=500, required=False),
        })}),
    })
    data = callback._ddcpts_payload(STK_CALLBACK)   # or STK_CALLBACK.validate(payload)

Every string is refused when it holds a NUL or another control character (PostgreSQL text cannot
store NUL; control characters have no business in a reference), is longer than its bound, or does
not match its pattern. Providers are loose with JSON types, so numbers sent as strings and strings
sent as numbers are accepted where the field says so, but never a list or an object in place of a
scalar: an invalid field raises :class:`SchemaError` (a ``CallbackInputError``, answered 400) whose
message names the field, and nothing is booked.
"""
import re
from decimal import Decimal, InvalidOperation

from odoo.addons.ddcpts_base.exceptions import CallbackInputError

# C0 controls but tab, line feed and carriage return; DEL; C1 controls
CONTROL_CHARACTERS = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]')
LINE_BREAKS = re.compile(r'[\t\n\r]')
MISSING = object()


class SchemaError(CallbackInputError):
    """A field is missing or invalid; the message names it by its path (``Body.stkCallback.ResultCode``)."""

    def __init__(self, path, message, status=400):
        super().__init__(f"{path or 'body'}: {message}" if path else message, status=status)
        self.path = path


def _type_name(value):
    return {dict: "an object", list: "a list", bool: "a boolean", str: "a string", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


class Field:
    """Base of the field types: required/optional handling; ``clean`` does the type's own check."""

    def __init__(self, *, required=True, nullable=False, default=None):
        self.required = required
        self.nullable = nullable
        self.default = default

    def validate(self, value, path=''):
        """The cleaned value, or :class:`SchemaError`."""
        if value is MISSING:
            if self.required:
                raise SchemaError(path, "is missing")
            return self.default
        if value is None:
            if not (self.nullable or not self.required):
                raise SchemaError(path, "must not be null")
            return self.default
        return self.clean(value, path)

    def clean(self, value, path):
        raise NotImplementedError


class String(Field):
    """Text: no NUL or control characters, bounded length, optional full-match pattern or choices.

    :param accept_numbers: an integer is accepted and turned into its digits (phone numbers,
        account references and ids that providers send as numbers)
    :param multiline: tab and line breaks are allowed (free-text descriptions)
    :param upper: the cleaned value is upper-cased (receipt numbers)
    """

    def __init__(self, *, max_length=255, min_length=1, pattern=None, choices=None, accept_numbers=False,
                 multiline=False, strip=True, upper=False, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.min_length = min_length
        self.pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
        self.choices = choices
        self.accept_numbers = accept_numbers
        self.multiline = multiline
        self.strip = strip
        self.upper = upper

    def clean(self, value, path):
        if self.accept_numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not value.is_integer():
                raise SchemaError(path, "must be a whole number or a string")
            value = str(int(value))
        if not isinstance(value, str):
            raise SchemaError(path, f"must be a string, not {_type_name(value)}")
        if CONTROL_CHARACTERS.search(value) or (not self.multiline and LINE_BREAKS.search(value)):
            raise SchemaError(path, "contains a NUL or control character")
        if self.strip:
            value = value.strip()
        if self.upper:
            value = value.upper()
        if len(value) < self.min_length:
            raise SchemaError(path, "is empty" if not value else f"is shorter than {self.min_length} characters")
        if len(value) > self.max_length:
            raise SchemaError(path, f"is longer than {self.max_length} characters")
        if self.pattern and not self.pattern.fullmatch(value):
            raise SchemaError(path, "has an invalid format")
        if self.choices is not None and value not in self.choices:
            raise SchemaError(path, f"must be one of {', '.join(sorted(self.choices))}")
        return value


class Integer(Field):
    """A whole number; digit strings and integral floats (``0.0``) are accepted, booleans never."""

    def __init__(self, *, minimum=None, maximum=None, accept_strings=True, **kwargs):
        super().__init__(**kwargs)
        self.minimum = minimum
        self.maximum = maximum
        self.accept_strings = accept_strings

    def clean(self, value, path):
        if isinstance(value, bool):
            raise SchemaError(path, "must be a whole number, not a boolean")
        integral_float = isinstance(value, float) and value.is_integer()
        digit_string = (isinstance(value, str) and self.accept_strings
                        and re.fullmatch(r'\s*[+-]?\d{1,18}\s*', value))
        if integral_float or digit_string:
            value = int(value)
        if not isinstance(value, int):
            raise SchemaError(path, f"must be a whole number, not {_type_name(value)}")
        if self.minimum is not None and value < self.minimum:
            raise SchemaError(path, f"must be at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise SchemaError(path, f"must be at most {self.maximum}")
        return value


class Amount(Field):
    """A money amount as a ``Decimal``, from a JSON number or a numeric string (``"10.50"``).

    Finite only, at most ``decimals`` digits after the point and within ``[minimum, maximum]``.

    :param accept_strings: numeric strings are accepted (``False``: a JSON number only, for APIs
        whose documented type is a number)
    """

    def __init__(self, *, minimum=Decimal(0), maximum=Decimal('1e12'), decimals=2, accept_strings=True, **kwargs):
        super().__init__(**kwargs)
        self.minimum = None if minimum is None else Decimal(minimum)
        self.maximum = Decimal(maximum)
        self.decimals = decimals
        self.accept_strings = accept_strings

    def clean(self, value, path):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)) \
                or (isinstance(value, str) and not self.accept_strings):
            raise SchemaError(path, f"must be an amount, not {_type_name(value)}")
        text = value.strip() if isinstance(value, str) else repr(value)
        if not re.fullmatch(r'[+-]?(\d{1,15}(\.\d*)?|\.\d+)', text):
            raise SchemaError(path, "is not an amount")
        try:
            amount = Decimal(text)
        except InvalidOperation as error:
            raise SchemaError(path, "is not an amount") from error
        if amount != amount.quantize(Decimal(1).scaleb(-self.decimals)):
            raise SchemaError(path, f"has more than {self.decimals} decimals")
        if (self.minimum is not None and amount < self.minimum) or amount > self.maximum:
            raise SchemaError(path, "is out of range")
        return amount


class Boolean(Field):
    """``true``/``false``, also as the strings ``"true"``/``"false"`` that form posts carry."""

    def clean(self, value, path):
        if isinstance(value, str) and value.strip().lower() in ('true', 'false'):
            return value.strip().lower() == 'true'
        if not isinstance(value, bool):
            raise SchemaError(path, f"must be true or false, not {_type_name(value)}")
        return value


class Object(Field):
    """A JSON object (or a form) with declared fields; undeclared keys are ignored and not returned."""

    def __init__(self, fields, **kwargs):
        super().__init__(**kwargs)
        self.fields = fields

    def clean(self, value, path):
        if not isinstance(value, dict):
            raise SchemaError(path, f"must be an object, not {_type_name(value)}")
        return {name: field.validate(value.get(name, MISSING), f'{path}.{name}' if path else name)
                for name, field in self.fields.items()}


class List(Field):
    """A list of items of one type, with bounds on its size."""

    def __init__(self, item, *, min_items=0, max_items=1000, **kwargs):
        super().__init__(**kwargs)
        self.item = item
        self.min_items = min_items
        self.max_items = max_items

    def clean(self, value, path):
        if not isinstance(value, list):
            raise SchemaError(path, f"must be a list, not {_type_name(value)}")
        if not self.min_items <= len(value) <= self.max_items:
            raise SchemaError(path, f"must hold {self.min_items} to {self.max_items} items")
        return [self.item.validate(item, f'{path}[{index}]') for index, item in enumerate(value)]
