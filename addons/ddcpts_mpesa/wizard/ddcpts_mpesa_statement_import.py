import base64
from collections import Counter

import pytz

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tools.statement import parse_statement, row_kind


class DdcptsMpesaStatementImport(models.TransientModel):
    """Import an M-Pesa org-portal statement (CSV or XLSX) into a bank statement and reconcile it."""
    _name = 'ddcpts.mpesa.statement.import'
    _description = "Import an M-Pesa statement"

    provider_id = fields.Many2one(
        'payment.provider', "M-Pesa Account", required=True, domain="[('code', '=', 'mpesa')]",
        default=lambda self: self.env['payment.provider'].search(
            [('code', '=', 'mpesa'), ('state', '!=', 'disabled'), ('company_id', '=', self.env.company.id)], limit=1),
    )
    journal_id = fields.Many2one(related='provider_id.journal_id')
    statement_file = fields.Binary("Statement File", required=True,
                                   help="The statement as downloaded from the M-Pesa org portal (CSV or XLSX).")
    statement_filename = fields.Char()

    def action_import(self):
        self.ensure_one()
        journal = self.provider_id.journal_id
        if not journal:
            raise UserError(_("Choose the journal of %s first.", self.provider_id.name))
        try:
            rows = parse_statement(base64.b64decode(self.statement_file))
        except ValueError as error:
            raise UserError(_("This file cannot be imported as an M-Pesa statement: %s", error)) from error
        rows = [row for row in rows if row['status'] == const.STATEMENT_COMPLETED]
        line_values = self._line_values(journal, rows)
        imported = set(self.env['account.bank.statement.line'].sudo().search([
            ('mpesa_import_key', 'in', [values['mpesa_import_key'] for values in line_values]),
        ]).mapped('mpesa_import_key'))
        new_rows = [(row, values) for row, values in zip(rows, line_values)
                    if values['mpesa_import_key'] not in imported]
        if not new_rows:
            raise UserError(_("Every completed transaction of this statement was imported already."))
        first_row, last_row = new_rows[0][0], new_rows[-1][0]
        # the wizard is for accounting managers; statements need the full accounting rights in Community
        statement = self.env['account.bank.statement'].sudo().create({
            'name': _("M-Pesa %(shortcode)s %(start)s – %(end)s", shortcode=self.provider_id.mpesa_shortcode,
                      start=new_rows[0][1]['date'], end=new_rows[-1][1]['date']),
            'journal_id': journal.id,
            'balance_start': float(first_row['balance'] - first_row['paid_in'] + first_row['withdrawn']),
            'balance_end_real': float(last_row['balance']),
            'line_ids': [fields.Command.create(values) for _row, values in new_rows],
        })
        statement.line_ids._mpesa_reconcile()
        self._flag_missing(first_row['completed_at'], last_row['completed_at'])
        return {
            'type': 'ir.actions.act_window',
            'name': _("M-Pesa Reconciliation"),
            'res_model': 'account.bank.statement.line',
            'view_mode': 'list,form',
            'views': [(self.env.ref('ddcpts_mpesa.account_bank_statement_line_view_list_mpesa').id, 'list'),
                      (False, 'form')],
            'domain': [('statement_id', '=', statement.id)],
            'context': {'create': False},
        }

    def _line_values(self, journal, rows):
        """Statement line values; the import id is the receipt and the row kind (a receipt has a charge row too)."""
        seen = Counter()
        nairobi = pytz.timezone(const.TIMEZONE)
        values_list = []
        for row in rows:
            kind = row_kind(row)
            key = f"mpesa:{self.provider_id.mpesa_shortcode}:{row['receipt']}:{kind}"
            seen[key] += 1
            values_list.append({
                'journal_id': journal.id,
                'date': pytz.utc.localize(row['completed_at']).astimezone(nairobi).date(),
                'payment_ref': row['details'] or row['receipt'],
                'amount': float(row['paid_in'] - row['withdrawn']),
                'partner_name': row['other_party'].partition(' - ')[2].strip() or False,
                'mpesa_import_key': key if seen[key] == 1 else f'{key}:{seen[key]}',
                'mpesa_provider_id': self.provider_id.id,
                'mpesa_receipt': row['receipt'],
                'mpesa_kind': kind,
                'mpesa_completed_at': row['completed_at'],
                'mpesa_account_number': row['account_number'] or False,
                'mpesa_other_party': row['other_party'] or False,
            })
        return values_list

    def _flag_missing(self, start, end):
        """Money Odoo booked in the statement's period that the statement does not show."""
        self.env['payment.transaction'].sudo().search([
            ('provider_id', '=', self.provider_id.id), ('state', '=', 'done'), ('operation', '!=', 'refund'),
            ('mpesa_receipt', '!=', False), ('mpesa_statement_line_id', '=', False),
            ('mpesa_paid_at', '>=', start), ('mpesa_paid_at', '<=', end),
        ]).mpesa_missing_from_statement = True
