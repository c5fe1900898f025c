"""Mobile numbers and tax identifiers of Kenya and Ghana.

Mobile-money APIs want the MSISDN as digits with the country code and no "+" (``2547XXXXXXXX``,
``2541XXXXXXXX``, ``233XXXXXXXXX``), SMS gateways want E.164 (``+2547…``). Customers type every
local variant (``0712 345 678``, ``712345678``, ``+254…``, ``254…``), so parsing is delegated to
Odoo's ``phone_validation`` (``phonenumbers``) and only the mobile ranges are accepted.
"""
import phonenumbers
from phonenumbers import PhoneNumberType
from stdnum import exceptions as stdnum_exceptions
from stdnum.gh import tin as ghana_tin
from stdnum.ke import pin as kra_pin

from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from odoo.addons.phone_validation.tools import phone_validation

_lt = LazyTranslate(__name__)

# country calling code -> (ISO country, first digits of mobile national numbers)
MOBILE_RANGES = {
    254: ('KE', ('7', '1')),
    233: ('GH', ('2', '5')),
}
LOCAL_REGIONS = {country for country, _prefixes in MOBILE_RANGES.values()}


def normalize_msisdn(number, country_code='KE'):
    """Return ``number`` as a mobile-money MSISDN (country code + national number, digits only).

    :param str number: the number as typed, in any local or international format
    :param str country_code: ISO code of the country used for local formats (``KE`` or ``GH``; any
        other country reads local formats as Kenyan, the only other mobile-money market served)
    :raise UserError: when it is not a Kenyan or Ghanaian mobile number
    """
    cleaned = (number or '').strip()
    if not cleaned:
        raise UserError(_lt("A mobile number is required."))
    if cleaned[0].isdigit() and cleaned.startswith(tuple(str(code) for code in MOBILE_RANGES)) \
            and len(''.join(filter(str.isdigit, cleaned))) > 10:
        cleaned = '+' + cleaned  # 2547XXXXXXXX typed without its "+"
    region = (country_code or '').upper()
    if region not in LOCAL_REGIONS:
        region = 'KE'
    parsed = phone_validation.phone_parse(cleaned, region)
    national = str(parsed.national_number)
    country, mobile_prefixes = MOBILE_RANGES.get(parsed.country_code, (None, ()))
    if not country:
        raise UserError(_lt("%s is not a Kenyan or Ghanaian mobile number.", number))
    if len(national) != 9 or not national.startswith(mobile_prefixes):
        raise UserError(_lt("%(number)s is not a mobile number of %(country)s.", number=number, country=country))
    return f'{parsed.country_code}{national}'


def normalize_mobile_number(number, country_code):
    """Return ``number`` as an MSISDN of any country (``233…`` Ghana, ``256…`` Uganda, ``250…`` Rwanda…).

    Kenya and Ghana keep the stricter rules of :func:`normalize_msisdn`; other countries are read by
    ``phone_validation`` and must be mobile numbers of a valid range.

    :param str country_code: ISO code of the country used for local formats (``0…``)
    :raise UserError: when it is not a mobile number
    """
    region = (country_code or '').upper()
    if region in LOCAL_REGIONS:
        return normalize_msisdn(number, region)
    cleaned = (number or '').strip()
    if not cleaned:
        raise UserError(_lt("A mobile number is required."))
    if cleaned[0].isdigit() and not cleaned.startswith('0') and len(''.join(filter(str.isdigit, cleaned))) > 10:
        cleaned = '+' + cleaned  # country code typed without its "+"
    parsed = phone_validation.phone_parse(cleaned, region or None)
    if phonenumbers.number_type(parsed) not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise UserError(_lt("%s is not a mobile number.", number))
    return f'{parsed.country_code}{parsed.national_number}'


def clean_kra_pin(value):
    """Return the compact KRA PIN (``P051365947M``) or raise a ValidationError a clerk understands."""
    return _validated(kra_pin, value, _lt(
        "%s is not a valid KRA PIN: it has 11 characters, A (individual) or P (company), "
        "nine digits and a letter, e.g. P051365947M.", value,
    ))


def clean_ghana_tin(value):
    """Return the compact Ghana TIN (``C0000803561``) or raise a ValidationError."""
    return _validated(ghana_tin, value, _lt(
        "%s is not a valid Ghana TIN: 11 characters starting with P, C, G, Q or V followed by 00, "
        "e.g. C0000803561.", value,
    ))


def _validated(stdnum_module, value, message):
    try:
        return stdnum_module.validate(value)
    except stdnum_exceptions.ValidationError as error:
        raise ValidationError(message) from error
