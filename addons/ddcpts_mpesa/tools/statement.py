"""Parsing the M-Pesa org-portal statement, as downloaded in CSV or XLSX.

The file starts with a few lines about the account (name, short code, period), then the table whose
header has ``Receipt No.``, ``Completion Time``, ``Initiation Time``, ``Details``, ``Transaction
Status``, ``Paid In``, ``Withdrawn``, ``Balance`` and usually ``Reason Type``, ``Other Party Info``,
``A/C No.``. Rows are newest first; amounts may carry thousands separators and withdrawals a minus.
"""
import csv
import io
import zipfile
from datetime import datetime

import openpyxl

from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tools.daraja import parse_amount, parse_timestamp

XLSX_MAGIC = b'PK\x03\x04'


def parse_statement(content):
    """Return the statement rows (dicts keyed like ``const.STATEMENT_COLUMNS``), oldest first.

    :param bytes content: the file as downloaded
    :raise ValueError: with a sentence when the file is not an M-Pesa statement
    """
    table = _xlsx_rows(content) if content.startswith(XLSX_MAGIC) else _csv_rows(content)
    header_index, columns = _find_header(table)
    rows = []
    for number, cells in enumerate(table[header_index + 1:], start=header_index + 2):
        values = {key: _cell(cells, index) for key, index in columns.items()}
        if not values['receipt']:
            continue  # blank and footer lines
        try:
            rows.append(_parse_row(values))
        except ValueError as error:
            raise ValueError(f"Line {number} (receipt {values['receipt']}): {error}") from error
    if not rows:
        raise ValueError("The statement has no transactions.")
    if rows[0]['completed_at'] > rows[-1]['completed_at']:
        rows.reverse()  # downloaded newest first; rows of the same second keep their relative order
    rows.sort(key=lambda row: row['completed_at'])
    return rows


def _xlsx_rows(content):
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ValueError("The file is not a readable XLSX workbook.") from error
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _csv_rows(content):
    try:
        text = content.decode('utf-8-sig')
    except UnicodeDecodeError:
        text = content.decode('latin-1')  # Excel's "CSV" on Windows; every byte decodes
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=',;\t')
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _normalize(title):
    """Column titles compared without case, spacing and punctuation (``Receipt No.`` = ``RECEIPT NO``)."""
    return ' '.join(str(title or '').replace('\ufeff', '').replace('.', ' ').replace(':', ' ').split()).lower()


def _find_header(table):
    wanted = {key: _normalize(title) for key, title in const.STATEMENT_COLUMNS.items()}
    for index, cells in enumerate(table[:50]):
        titles = [_normalize(cell) for cell in cells]
        if wanted['receipt'] in titles:
            columns = {key: titles.index(title) for key, title in wanted.items() if title in titles}
            missing = [const.STATEMENT_COLUMNS[key] for key in const.STATEMENT_REQUIRED_COLUMNS if key not in columns]
            if missing:
                raise ValueError(f"The statement has no {', '.join(missing)} column.")
            return index, columns
    raise ValueError("This is not an M-Pesa statement: no \"Receipt No.\" column was found.")


def _cell(cells, index):
    if index is None or index >= len(cells) or cells[index] is None:
        return ''
    value = cells[index]
    return value if isinstance(value, (datetime, int, float)) else str(value).strip()


def _amount(value):
    if value in ('', None):
        return parse_amount(0)
    if isinstance(value, (int, float)):
        return parse_amount(value)
    return parse_amount(value.replace('(', '-').replace(')', ''))


def _moment(value, what):
    if isinstance(value, datetime):
        return parse_timestamp(value.strftime('%Y%m%d%H%M%S'))
    moment = parse_timestamp(value)
    if moment is None and value:
        raise ValueError(f"the {what} {value!r} is not a date and time")
    return moment


def _parse_row(values):
    completed_at = _moment(values['completed_at'], "completion time")
    if completed_at is None:
        raise ValueError("the completion time is missing")
    account_number = values.get('account_number', '')
    return {
        'receipt': str(values['receipt']).strip().upper(),
        'completed_at': completed_at,
        'initiated_at': _moment(values.get('initiated_at', ''), "initiation time") or completed_at,
        'details': str(values['details']),
        'status': str(values['status']).strip().lower(),
        'paid_in': abs(_amount(values['paid_in'])),
        'withdrawn': abs(_amount(values['withdrawn'])),
        'balance': _amount(values['balance']),
        'reason_type': str(values.get('reason_type', '')),
        'other_party': str(values.get('other_party', '')),
        'account_number': str(int(account_number)) if isinstance(account_number, float) and account_number.is_integer()
        else str(account_number),
    }


def row_kind(row):
    """What a statement row is: a payment received, a charge, a payout, a reversal, or something else."""
    text = f"{row['details']} {row['reason_type']}".lower()
    if any(word in text for word in const.STATEMENT_CHARGE_WORDS):
        return 'charge'
    if any(word in text for word in const.STATEMENT_REVERSAL_WORDS):
        return 'reversal'
    if row['withdrawn'] and any(word in text for word in const.STATEMENT_PAYOUT_WORDS):
        return 'payout'
    if row['paid_in'] and not row['withdrawn']:
        return 'payment'
    return 'other'
