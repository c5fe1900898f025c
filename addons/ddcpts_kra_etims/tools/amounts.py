"""The amounts of an eTIMS document, computed once, from the amounts Odoo booked.

KRA's specification samples are tax-inclusive (``taxblAmt = totAmt = 7000``, ``taxAmt = 7000 × 18/118``)
while other integrations send the net taxable amount plus the tax. Both conventions are built here from
the same figures: each line's net amount and its VAT exactly as rounded on the invoice (in KES), so the
eTIMS totals always equal the invoice totals, whatever the Odoo taxes (price included or excluded),
discounts and currency were.
"""
from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal('0.01')
TAX_TYPE_CODES = 'ABCDE'

# net and tax: Decimal KES amounts of the line as booked (after discount); rate: VAT rate in percent
EtimsLine = namedtuple('EtimsLine', 'quantity discount tax_type rate net tax')


def to_cents(value):
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def compute_amounts(lines, tax_inclusive=True, rates=None):
    """Return ``(item_amounts, totals)`` for ``saveTrnsSalesOsdc`` / ``insertTrnsPurchase``.

    :param lines: ``EtimsLine`` tuples, one per invoice line, in KES
    :param tax_inclusive: True for KRA's sample convention (taxable amount includes the tax),
        False for net taxable amount + tax
    :param rates: rate per tax type for the ``taxRtA..E`` header fields (defaults to the lines' rates)
    :return: a list of dicts (``prc``, ``splyAmt``, ``dcRt``, ``dcAmt``, ``taxblAmt``, ``taxAmt``, ``totAmt``)
        in the order of ``lines`` and a dict of header totals, all Decimal
    """
    items = []
    totals = {f'{kind}{code}': Decimal(0) for kind in ('taxblAmt', 'taxAmt') for code in TAX_TYPE_CODES}
    header_rates = {code: Decimal(0) for code in TAX_TYPE_CODES}
    header_rates.update({code: to_cents(rate) for code, rate in (rates or {}).items()})
    for line in lines:
        net, tax = to_cents(line.net), to_cents(line.tax)
        taxable = net + tax if tax_inclusive else net
        total = net + tax
        discount = Decimal(str(line.discount or 0))
        # the amount before the discount (a 100 % discount leaves nothing to derive it from)
        supply = to_cents(taxable * 100 / (100 - discount)) if discount and discount < 100 else taxable
        quantity = Decimal(str(line.quantity or 0))
        items.append({
            'prc': to_cents(supply / quantity) if quantity else Decimal(0),
            'splyAmt': supply,
            'dcRt': discount,
            'dcAmt': supply - taxable,
            'taxblAmt': taxable,
            'taxAmt': tax,
            'totAmt': total,
        })
        totals[f'taxblAmt{line.tax_type}'] += taxable
        totals[f'taxAmt{line.tax_type}'] += tax
        if not rates:
            header_rates[line.tax_type] = to_cents(line.rate)
    totals.update({f'taxRt{code}': rate for code, rate in header_rates.items()})
    totals['totTaxblAmt'] = sum((item['taxblAmt'] for item in items), Decimal(0))
    totals['totTaxAmt'] = sum((item['taxAmt'] for item in items), Decimal(0))
    totals['totAmt'] = sum((item['totAmt'] for item in items), Decimal(0))
    return items, totals


def as_json_numbers(values):
    """Decimal -> float for the JSON body (amounts are already rounded to cents)."""
    return {key: float(value) if isinstance(value, Decimal) else value for key, value in values.items()}
