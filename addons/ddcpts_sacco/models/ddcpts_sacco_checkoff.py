import base64
import csv
import io
from decimal import Decimal, InvalidOperation

import openpyxl

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

IDENTITY_COLUMNS = ('staff_number', 'national_id')
MAX_ROWS = 50000
POST_BATCH = 250  # rows per entry: Odoo validates a journal entry in time growing faster than its lines


class DdcptsSaccoCheckoff(models.Model):
    """An employer's check-off remittance: the payroll deductions of its staff who are members.

    The file (CSV or XLSX: ``staff_number`` or ``national_id``, ``amount``, optionally ``product``) is
    read into lines, matched to members in one query, and allocated to the members' monthly obligations.
    Posting debits the employer's receivable (settled by the employer's bank transfer) and credits each
    member account. Unmatched rows stay listed, unbooked, until a member is chosen for them.
    """
    _name = 'ddcpts.sacco.checkoff'
    _description = "SACCO Check-off Remittance"
    _inherit = ['mail.thread']
    _order = 'date desc, id desc'
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: _("New"))
    employer_id = fields.Many2one('res.partner', "Employer", required=True, tracking=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related='company_id.currency_id')
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    file = fields.Binary("Remittance File", attachment=False)
    filename = fields.Char()
    declared_total = fields.Monetary(help="Total the employer says it remitted; the file must add up to it.")
    state = fields.Selection([('draft', "Draft"), ('posted', "Posted")], default='draft', required=True,
                             readonly=True, tracking=True)
    line_ids = fields.One2many('ddcpts.sacco.checkoff.line', 'checkoff_id', "Rows")
    total = fields.Monetary(compute='_compute_totals')
    matched_total = fields.Monetary(compute='_compute_totals')
    unmatched_count = fields.Integer(compute='_compute_totals')
    move_ids = fields.Many2many('account.move', string="Entries", readonly=True, copy=False)

    @api.depends('line_ids.amount', 'line_ids.member_id')
    def _compute_totals(self):
        for checkoff in self:
            checkoff.total = sum(checkoff.line_ids.mapped('amount'))
            matched = checkoff.line_ids.filtered('member_id')
            checkoff.matched_total = sum(matched.mapped('amount'))
            checkoff.unmatched_count = len(checkoff.line_ids) - len(matched)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals['name'] = self.env['ir.sequence'].next_by_code('ddcpts.sacco.checkoff') or _("New")
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Reading the file
    # ------------------------------------------------------------------

    def action_preview(self):
        """Read the file into rows and match them; nothing is booked."""
        self.ensure_one()
        if self.state != 'draft':
            raise UserError(_("%s is posted already.", self.name))
        if not self.file:
            raise UserError(_("Attach the employer's remittance file (CSV or XLSX)."))
        rows = self._sacco_read_rows(base64.b64decode(self.file), self.filename or '')
        total = sum(row['amount'] for row in rows)
        if self.declared_total and self.currency_id.compare_amounts(float(total), self.declared_total):
            raise UserError(_("The rows add up to %(total)s, not to the %(declared)s declared: check the file.",
                              total=self.currency_id.format(float(total)),
                              declared=self.currency_id.format(self.declared_total)))
        self.line_ids = [Command.clear()] + [Command.create({
            'sequence': row['row'], 'staff_number': row.get('staff_number'), 'national_id': row.get('national_id'),
            'product_code': row.get('product'), 'amount': float(row['amount']),
        }) for row in rows]
        self.line_ids._sacco_match()
        return True

    @api.model
    def _sacco_read_rows(self, content, filename):
        """Rows of a CSV or XLSX file as dicts; wrong columns or amounts name the row and the column."""
        if filename.lower().endswith('.xlsx'):
            table = self._sacco_xlsx_table(content)
        else:
            try:
                text = content.decode('utf-8-sig')
            except UnicodeDecodeError as error:
                raise UserError(_("The file is neither an XLSX workbook nor a UTF-8 CSV file.")) from error
            table = list(csv.reader(io.StringIO(text)))
        table = [row for row in table if any(str(cell or '').strip() for cell in row)]
        if not table:
            raise UserError(_("The file is empty."))
        header = [str(cell or '').strip().lower().replace(' ', '_') for cell in table[0]]
        if 'amount' not in header or not set(IDENTITY_COLUMNS) & set(header):
            raise UserError(_("The file needs the columns \"amount\" and \"staff_number\" or \"national_id\" "
                              "(optionally \"product\"); it has: %s.", ", ".join(filter(None, header)) or "none"))
        if len(table) - 1 > MAX_ROWS:
            raise UserError(_("The file has more than %s rows: split it.", MAX_ROWS))
        rows = []
        for number, cells in enumerate(table[1:], start=2):
            values = {name: str(cells[index]).strip() if index < len(cells) and cells[index] is not None else ''
                      for index, name in enumerate(header) if name}
            try:
                amount = Decimal(values['amount'].replace(',', ''))
            except InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite() or amount <= 0:
                raise UserError(_("Row %(row)s: the amount \"%(amount)s\" is not a positive number.",
                                  row=number, amount=values['amount']))
            if not any(values.get(column) for column in IDENTITY_COLUMNS):
                raise UserError(_("Row %s has neither a staff number nor a national ID.", number))
            rows.append({
                'row': number, 'amount': amount,
                'staff_number': values.get('staff_number', '').upper() or False,
                'national_id': ''.join(values.get('national_id', '').split()).upper() or False,
                'product': values.get('product', '').upper() or False,
            })
        return rows

    @api.model
    def _sacco_xlsx_table(self, content):
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds of errors on a broken workbook
            raise UserError(_("The XLSX file cannot be read: %s", error)) from error
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    # ------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------

    def _sacco_post_rows(self, lines, taken=None, other_credits=()):
        """One entry for ``lines``: the employer owes their total, each member account is credited.

        Addons that take part of the rows first (loan repayments) pass what they took by row in ``taken``
        and their own credits as ``(account, partner, label, amount)`` in ``other_credits``.
        """
        receivable = self.employer_id.with_company(self.company_id).property_account_receivable_id
        credits = lines._sacco_allocations(taken)
        move_lines = [Command.create({
            'account_id': account.account_id.id, 'partner_id': account.partner_id.id,
            'name': _("Check-off %(batch)s %(account)s", batch=self.name, account=account.name), 'balance': -amount,
        }) for account, amount in credits]
        move_lines += [Command.create({
            'account_id': account.id, 'partner_id': partner.id, 'name': _("Check-off %(batch)s %(label)s",
                                                                          batch=self.name, label=label),
            'balance': -amount,
        }) for account, partner, label, amount in other_credits]
        move_lines.append(Command.create({
            'account_id': receivable.id, 'partner_id': self.employer_id.id, 'name': _("Check-off %s", self.name),
            'balance': sum(amount for _account, amount in credits)
            + sum(credit[-1] for credit in other_credits),
        }))
        move = self.env['account.move'].sudo().with_company(self.company_id).create({
            'move_type': 'entry', 'journal_id': self.company_id._sacco_journal().id, 'date': self.date,
            'ref': _("Check-off %(batch)s %(employer)s", batch=self.name, employer=self.employer_id.name),
            'line_ids': move_lines,
        })
        move.action_post()
        self.env['ddcpts.sacco.account'].invalidate_model(['balance'])
        for account, amount in credits:
            account._sacco_notify_contribution(move, amount)
        lines.move_id = move
        self.move_ids = [Command.link(move.id)]
        return move

    def action_post(self):
        """Book the matched rows: the employer owes the total, each member account is credited."""
        self.ensure_one()
        if self.state != 'draft':
            raise UserError(_("%s is posted already.", self.name))
        lines = self.line_ids.filtered(lambda line: line.member_id and not line.move_id)
        if not lines:
            raise UserError(_("No matched row is left to post: choose the members of the unmatched rows."))
        for start in range(0, len(lines), POST_BATCH):
            self._sacco_post_rows(lines[start:start + POST_BATCH])
        if not self.unmatched_count:
            self.state = 'posted'
        self._message_log(body=_("%(count)s rows posted for %(amount)s; %(left)s rows unmatched.",
                                 count=len(lines), amount=self.currency_id.format(sum(lines.mapped('amount'))),
                                 left=self.unmatched_count))
        return True
