"""Amounts as providers want them on the wire and as clerks read them in messages."""
from decimal import Decimal


def wire_amount(amount, currency):
    """``amount`` as a decimal string in the precision of ``currency`` (``"100.00"`` EUR, ``"500"`` UGX).

    Providers taking amounts as strings (MTN MoMo) refuse floats' artefacts such as ``100.00000001``.
    """
    return str(Decimal(str(currency.round(amount))).quantize(Decimal(1).scaleb(-currency.decimal_places)))


def display_amount(amount, currency):
    """``GHS 1,500.00``: how an amount is written in messages to clerks and customers."""
    return f"{currency.name} {float(amount):,.{currency.decimal_places}f}"
