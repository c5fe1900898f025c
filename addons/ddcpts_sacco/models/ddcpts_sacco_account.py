import re

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class DdcptsSaccoAccount(models.Model):
    """A member's account of a product (shares, deposits, savings): a view on the general ledger.

    There is no stored balance. The balance is the sum of the posted journal items on the product's
    account whose partner is the member, so it can never drift from the books, and a reversed or
    backdated entry changes it exactly as it changes the ledger.
    """
    _name = 'ddcpts.sacco.account'
    _description = "SACCO Member Account"
    _order = 'member_id, product_id'
    _check_company_auto = True

    name = fields.Char(compute='_compute_name', store=True, index=True,
                       help="The paybill reference of this account: membership number and product code.")
    member_id = fields.Many2one('ddcpts.sacco.member', required=True, ondelete='restrict', index=True,
                                check_company=True)
    product_id = fields.Many2one('ddcpts.sacco.product', required=True, ondelete='restrict', index=True,
                                 check_company=True)
    company_id = fields.Many2one(related='member_id.company_id', store=True, index=True)
    partner_id = fields.Many2one(related='member_id.partner_id', store=True)
    account_id = fields.Many2one(related='product_id.account_id')
    kind = fields.Selection(related='product_id.kind')
    withdrawable = fields.Boolean(related='product_id.withdrawable')
    currency_id = fields.Many2one(related='company_id.currency_id')
    balance = fields.Monetary(compute='_compute_balance', help="Sum of the posted journal items of this account.")
    arrears = fields.Monetary(compute='_compute_arrears',
                              help="Monthly contributions due since the member joined, less what was paid in.")

    _sql_constraints = [
        ('member_product_uniq', 'unique(member_id, product_id)', "A member has one account per product."),
    ]

    @api.depends('member_id.number', 'product_id.code')
    def _compute_name(self):
        for account in self:
            account.name = f"{account.member_id.number}-{account.product_id.code}"

    def _compute_balance(self):
        balances = self._sacco_balances()
        for account in self:
            account.balance = balances.get(account, 0.0)

    def _compute_arrears(self):
        arrears = self._sacco_arrears()
        for account in self:
            account.arrears = arrears[account]

    def _sacco_move_line_domain(self, date_to=None):
        """Posted journal items of these accounts (one query for any number of accounts)."""
        domain = [('parent_state', '=', 'posted'), ('account_id', 'in', self.product_id.account_id.ids),
                  ('partner_id', 'in', self.partner_id.ids), ('company_id', 'in', self.company_id.ids)]
        if date_to:
            domain.append(('date', '<=', date_to))
        return domain

    def _sacco_balances(self, date_to=None):
        """Credit-positive balance of each account (what the SACCO owes the member), set-based.

        :return: {account: balance}
        """
        if not self:
            return {}
        totals = {
            (account.id, partner.id): -balance
            for account, partner, balance in self.env['account.move.line'].sudo()._read_group(
                self._sacco_move_line_domain(date_to), ['account_id', 'partner_id'], ['balance:sum'])
        }
        return {account: totals.get((account.account_id.id, account.partner_id.id), 0.0) for account in self}

    def _sacco_statement(self, date_from=None, date_to=None, offset=0, limit=None):
        """Statement of one account: opening balance, movements with their running balance, closing balance.

        Read from posted journal items in date order, so an entry keyed in late appears on its own date
        and a reversal as the movement it is. The running balance is a window sum over the whole period,
        so a page (``offset``/``limit``) shows the same balances as the full statement.
        """
        self.ensure_one()
        self.check_access('read')
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to) or fields.Date.context_today(self)
        if date_from and date_from > date_to:
            raise UserError(_("The statement period starts after it ends."))
        opening = self._sacco_balances(date_to=date_from - relativedelta(days=1))[self] if date_from else 0.0
        where = SQL(
            "aml.parent_state = 'posted' AND aml.account_id = %s AND aml.partner_id = %s AND aml.company_id = %s"
            " AND aml.date <= %s", self.account_id.id, self.partner_id.id, self.company_id.id, date_to)
        if date_from:
            where = SQL("%s AND aml.date >= %s", where, date_from)
        self.env['account.move.line'].flush_model(['parent_state', 'account_id', 'partner_id', 'company_id', 'date',
                                                   'balance', 'name', 'move_name', 'ref'])
        self.env.cr.execute(SQL("""
            SELECT aml.id, aml.date, aml.move_name, COALESCE(aml.name, aml.ref, '') AS label, -aml.balance AS amount,
                   SUM(-aml.balance) OVER (ORDER BY aml.date, aml.id) AS running, COUNT(*) OVER () AS total
              FROM account_move_line aml
             WHERE %s
          ORDER BY aml.date, aml.id
            OFFSET %s LIMIT %s
        """, where, offset or 0, limit))
        rows = self.env.cr.dictfetchall()
        round_ = self.currency_id.round
        lines = [{'id': row['id'], 'date': row['date'], 'entry': row['move_name'], 'label': row['label'],
                  'amount': round_(row['amount']), 'balance': round_(opening + row['running'])} for row in rows]
        closing = self._sacco_balances(date_to=date_to)[self]
        return {'account': self.name, 'date_from': date_from, 'date_to': date_to, 'opening': round_(opening),
                'closing': round_(closing), 'lines': lines, 'count': rows[0]['total'] if rows else (
                    0 if not offset else self._sacco_statement_count(where))}

    def _sacco_statement_count(self, where):
        self.env.cr.execute(SQL("SELECT COUNT(*) FROM account_move_line aml WHERE %s", where))
        return self.env.cr.fetchone()[0]

    @api.model
    def _sacco_find_by_reference(self, reference, company):
        """The member account a payer's reference designates, by the company's pattern (empty if none).

        ``M0042`` alone designates the company's default product; an unknown member or product, or a
        member who left, designates nothing (the money then goes to review).
        """
        pattern = company.sacco_reference_pattern
        match = pattern and re.match(pattern, (reference or '').strip().upper())
        if not match:
            return self
        member = self.env['ddcpts.sacco.member'].sudo().search([
            ('number', '=', match['member']), ('company_id', '=', company.id),
            ('state', 'in', ('applicant', 'active', 'dormant')),
        ], limit=1)
        code = match.groupdict().get('product')
        product = company.sacco_default_product_id
        if code:
            product = self.env['ddcpts.sacco.product'].sudo().search(
                [('code', '=', code), ('company_id', '=', company.id)], limit=1)
        if not member or not product:
            return self
        return member._sacco_account(product)

    def _sacco_arrears(self, date=None):
        """What each account is behind its product's monthly contribution, from the month the member joined
        to the month of ``date`` (both counted), less what was paid into it over that time. Two queries.

        :return: {account: arrears} (0 when up to date or ahead)
        """
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        due_accounts = self.filtered(lambda account: account.product_id.monthly_contribution
                                     and account.member_id.joined_on and account.member_id.state == 'active')
        paid = {}
        if due_accounts:
            self.env['account.move.line'].flush_model()
            self.env['ddcpts.sacco.member'].flush_model(['joined_on', 'partner_id', 'company_id'])
            self.flush_model(['member_id', 'product_id'])
            self.env.cr.execute(SQL("""
                SELECT account.id, COALESCE(SUM(aml.credit), 0)
                  FROM ddcpts_sacco_account account
                  JOIN ddcpts_sacco_member member ON member.id = account.member_id
                  JOIN ddcpts_sacco_product product ON product.id = account.product_id
                  LEFT JOIN account_move_line aml ON aml.account_id = product.account_id
                                                 AND aml.partner_id = member.partner_id
                                                 AND aml.company_id = member.company_id
                                                 AND aml.parent_state = 'posted'
                                                 AND aml.date >= date_trunc('month', member.joined_on)
                                                 AND aml.date <= %s
                 WHERE account.id IN %s
              GROUP BY account.id
            """, date, tuple(due_accounts.ids)))
            paid = dict(self.env.cr.fetchall())
        arrears = {}
        for account in self:
            if account not in due_accounts:
                arrears[account] = 0.0
                continue
            joined = account.member_id.joined_on
            months = max((date.year - joined.year) * 12 + date.month - joined.month + 1, 0)
            due = months * account.product_id.monthly_contribution
            arrears[account] = max(account.currency_id.round(due - paid.get(account.id, 0.0)), 0.0)
        return arrears

    # ------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------

    def _sacco_pending_withdrawals(self, exclude=None):
        """Money promised out of each account by payouts not yet done (it must not be promised twice)."""
        payouts = self.env['ddcpts.payout'].sudo().search([
            ('origin', 'in', [f'{self._name},{account.id}' for account in self]),
            ('state', 'in', ('draft', 'to_approve', 'approved', 'sent')),
            ('id', 'not in', (exclude or self.env['ddcpts.payout']).ids),
        ])
        pending = dict.fromkeys(self, 0.0)
        for payout in payouts:
            pending[payout.origin] += payout._amount_in_company_currency()
        return pending

    def _sacco_free_balance(self, exclude=None):
        """What can leave the account now: the balance less the product's minimum (waived on exit) and
        less withdrawals already requested."""
        self.ensure_one()
        minimum = 0.0 if self.member_id.exit_requested_on else self.product_id.minimum_balance
        return self.balance - minimum - self._sacco_pending_withdrawals(exclude=exclude)[self]

    def _sacco_check_withdrawable(self, amount, exclude=None):
        self.ensure_one()
        if not self.product_id.withdrawable and not self.member_id.exit_requested_on:
            raise UserError(_("%(account)s is %(product)s: it cannot be withdrawn, only refunded when the member "
                              "leaves.", account=self.name, product=self.product_id.name))
        free = self._sacco_free_balance(exclude=exclude)
        if self.currency_id.compare_amounts(amount, free) > 0:
            raise UserError(_("%(account)s has %(free)s free to withdraw: %(amount)s is too much.",
                              account=self.name, free=self.currency_id.format(free),
                              amount=self.currency_id.format(amount)))

    def _sacco_post(self, amount, counterpart_account, journal=None, date=None, ref=None, counterpart_partner=None,
                    allow_closed=False):
        """Post one movement: ``amount`` > 0 credits the member's account (money in), < 0 debits it.

        The counterpart is a bank/cash account for receipts, the member's receivable for mobile money
        (reconciled with the payment), or another member account for transfers.
        :return: the posted ``account.move``
        """
        self.ensure_one()
        if self.member_id.state in ('exited', 'deceased') and not allow_closed:
            raise UserError(_("%s is closed: no money can be booked on it.", self.name))
        currency = self.currency_id
        if currency.is_zero(amount):
            raise UserError(_("Enter an amount."))
        move = self.member_id._sacco_post_entry(self.account_id, counterpart_account, amount, journal=journal,
                                                date=date, ref=ref or self.name,
                                                counterpart_partner=counterpart_partner)
        if amount > 0:
            self._sacco_notify_contribution(move, amount)
        return move

    def _sacco_notify_contribution(self, move, amount):
        self.ensure_one()
        self.env['ddcpts.webhook.endpoint']._ddcpts_emit(
            'contribution.received', self._sacco_contribution_data(move, amount), record=self)

    def _sacco_request_payout(self, amount, journal, purpose):
        """A payout of ``amount`` out of this account to the member's phone, submitted for approval."""
        self.ensure_one()
        self._sacco_check_withdrawable(amount)
        payout = self.env['ddcpts.payout'].create({
            'partner_id': self.partner_id.id, 'recipient_phone': self.member_id.phone, 'amount': amount,
            'journal_id': journal.id, 'purpose': purpose, 'origin': f'{self._name},{self.id}',
            'company_id': self.company_id.id,
        })
        payout.action_submit()
        return payout

    def _sacco_contribution_data(self, move, amount):
        return {'member': self.member_id.number, 'account': self.name, 'product': self.product_id.code,
                'amount': amount, 'currency': self.currency_id.name, 'date': fields.Date.to_string(move.date),
                'entry': move.name}

    def action_view_journal_items(self):
        action = self.env['ir.actions.act_window']._for_xml_id('account.action_account_moves_all')
        action.update(domain=self._sacco_move_line_domain(), context={'search_default_group_by_account': 0})
        return action
