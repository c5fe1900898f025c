from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.ddcpts_base.tools.locking import claim_batch, in_test_mode, lock_rows
from odoo.addons.ddcpts_sacco.tools import pro_rata

POST_BATCH = 1000


class DdcptsSaccoInterestRun(models.Model):
    """Year-end interest on deposits or dividends on shares: preview → approve → post.

    The basis of each member is computed in one grouped query over the posted journal items of the period
    (linear in the number of items): the average daily balance (balance-days / days), or the average of the
    month-end balances. Gross = basis × rate, or a declared pool split pro rata to the bases (share-days),
    to the cent. Withholding tax comes from the dated rates table; the net amount is credited to the
    member's account of the credit product, or paid out through ``ddcpts.payout`` (per run, or as each
    member chose), in entries of 1 000 members committed
    one by one (outside tests), so a run over 50 000 members neither holds one huge transaction nor restarts
    from zero: members already posted are skipped.
    """
    _name = 'ddcpts.sacco.interest.run'
    _description = "SACCO Year-end Interest or Dividends"
    _inherit = ['mail.thread']
    _order = 'date_to desc, id desc'
    _check_company_auto = True

    name = fields.Char(required=True, default=lambda self: _("Year-end %s", fields.Date.today().year - 1))
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related='company_id.currency_id')
    kind = fields.Selection([('interest', "Interest on deposits"), ('dividend', "Dividends on shares")],
                            required=True, default='interest')
    product_ids = fields.Many2many('ddcpts.sacco.product', string="On Products", required=True, check_company=True)
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    amount_basis = fields.Selection([('rate', "Rate a year"), ('pool', "Declared pool")], "Amount From",
                                    required=True, default='rate', tracking=True,
                                    help="Declared pool: the amount the AGM declared is shared pro rata to each "
                                         "member's basis (share-days), to the cent.")
    rate = fields.Float("Rate (% a year)", digits=(6, 3), required=True, tracking=True)
    pool_amount = fields.Monetary("Declared Pool", tracking=True, help="Total gross amount to distribute.")
    method = fields.Selection([('daily', "Average daily balance (share-days)"),
                               ('monthly', "Average month-end balance")], required=True, default='daily')
    minimum_holding_days = fields.Integer(
        help="Members who first held money on these products fewer days before the end of the period get nothing.")
    payment_mode = fields.Selection([('credit', "Credit member accounts"), ('payout', "Pay out by mobile money"),
                                     ('member', "As each member chose")], "Payment", required=True, default='credit',
                                    tracking=True)
    credit_product_id = fields.Many2one('ddcpts.sacco.product', "Credit To", check_company=True,
                                        help="The members' account credited with the net amount (e.g. savings).")
    payout_journal_id = fields.Many2one(
        'account.journal', "Paid From", check_company=True, domain="[('type', 'in', ('bank', 'cash'))]",
        help="Journal of the payouts of members paid out (each payout is approved by a second person).")
    expense_account_id = fields.Many2one('account.account', "Expense Account", required=True, check_company=True,
                                         help="Interest expense, or the dividends appropriation account.")
    tax_account_id = fields.Many2one('account.account', "Withholding Tax Account", check_company=True)
    tax_rate = fields.Float("Withholding Tax (%)", digits=(5, 2), readonly=True)
    state = fields.Selection([('draft', "Draft"), ('computed', "Previewed"), ('approved', "Approved"),
                              ('posted', "Posted")], default='draft', required=True, readonly=True, tracking=True)
    approved_by_id = fields.Many2one('res.users', readonly=True, copy=False, tracking=True)
    line_ids = fields.One2many('ddcpts.sacco.interest.line', 'run_id', "Members", readonly=True)
    gross_total = fields.Monetary(compute='_compute_totals')
    tax_total = fields.Monetary(compute='_compute_totals')
    net_total = fields.Monetary(compute='_compute_totals')
    member_count = fields.Integer(compute='_compute_totals')

    @api.depends('line_ids.gross', 'line_ids.tax', 'line_ids.net')
    def _compute_totals(self):
        totals = {run: (gross, tax, net, count) for run, gross, tax, net, count in
                  self.env['ddcpts.sacco.interest.line']._read_group(
                      [('run_id', 'in', self.ids)], ['run_id'], ['gross:sum', 'tax:sum', 'net:sum', '__count'])}
        for run in self:
            run.gross_total, run.tax_total, run.net_total, run.member_count = totals.get(run, (0.0, 0.0, 0.0, 0))

    @api.constrains('date_from', 'date_to', 'rate', 'amount_basis', 'pool_amount')
    def _check_period(self):
        for run in self:
            if run.date_from > run.date_to:
                raise ValidationError(_("The period of %s starts after it ends.", run.name))
            if not 0 <= run.rate <= 100:
                raise ValidationError(_("The rate of %s lies between 0 and 100 %%.", run.name))
            if run.amount_basis == 'pool' and run.currency_id.compare_amounts(run.pool_amount, 0) <= 0:
                raise ValidationError(_("Enter the pool declared for %s.", run.name))

    # ------------------------------------------------------------------
    # Preview
    # ------------------------------------------------------------------

    def action_compute(self):
        """Compute (again) every member's basis, gross amount, tax and net amount; nothing is posted."""
        self.ensure_one()
        if self.state not in ('draft', 'computed'):
            raise UserError(_("%s is approved already: reset it to compute again.", self.name))
        kinds = {'interest': ('deposit', 'savings'), 'dividend': ('share',)}[self.kind]
        if any(product.kind not in kinds for product in self.product_ids):
            raise UserError(_("%s are paid on %s products only.", dict(self._fields['kind'].selection)[self.kind],
                              " / ".join(kinds)))
        self.env['ddcpts.sacco.interest.line'].search([('run_id', '=', self.id)]).unlink()
        tax_rate = self.env['ddcpts.sacco.tax.rate']._sacco_rate(self.kind, self.date_to, self.company_id)
        currency = self.currency_id
        bases = self._sacco_bases()
        if self.amount_basis == 'pool' and bases:
            grosses = [float(part) for part in pro_rata.split(
                self.pool_amount, [basis for _member, basis in bases], currency.decimal_places)]
        else:
            grosses = [currency.round(basis * self.rate / 100) for _member, basis in bases]
        members = self.env['ddcpts.sacco.member'].browse([member_id for member_id, _basis in bases])
        values = []
        for member, (_member_id, basis), gross in zip(members, bases, grosses):
            if currency.compare_amounts(gross, 0) <= 0:
                continue
            tax = currency.round(gross * tax_rate / 100)
            values.append({'run_id': self.id, 'member_id': member.id, 'basis': currency.round(basis),
                           'gross': gross, 'tax': tax, 'net': currency.round(gross - tax),
                           'payout': self.payment_mode == 'payout' or (
                               self.payment_mode == 'member' and member.year_end_payment == 'payout')})
        self.env['ddcpts.sacco.interest.line'].create(values)
        self.write({'state': 'computed', 'tax_rate': tax_rate})
        return True

    def _sacco_bases(self):
        """(member_id, basis) of every member with money on the products: one grouped query.

        Daily: Σ over items of amount × days it was held in the period / days of the period (an item before
        the period counts for every day). Monthly: Σ over items of amount × month-ends it was held / months.
        """
        self.env['account.move.line'].flush_model()
        days = (self.date_to - self.date_from).days + 1
        start = SQL("GREATEST(aml.date, %s::date)", self.date_from)
        if self.method == 'daily':
            weight = SQL("((%s::date - %s) + 1)::numeric / %s", self.date_to, start, days)
        else:
            months = (self.date_to.year - self.date_from.year) * 12 + self.date_to.month - self.date_from.month + 1
            # month-ends from the item's month to the period's last month (the last month-end is date_to)
            weight = SQL(
                "((EXTRACT(YEAR FROM %(to)s::date) - EXTRACT(YEAR FROM %(start)s)) * 12"
                " + EXTRACT(MONTH FROM %(to)s::date) - EXTRACT(MONTH FROM %(start)s) + 1)::numeric / %(months)s",
                to=self.date_to, start=start, months=months)
        holding = SQL("")
        if self.minimum_holding_days:
            holding = SQL("HAVING MIN(aml.date) <= %s", fields.Date.subtract(self.date_to,
                                                                              days=self.minimum_holding_days))
        self.env.cr.execute(SQL("""
            SELECT member.id, SUM(-aml.balance * %(weight)s)
              FROM account_move_line aml
              JOIN ddcpts_sacco_member member ON member.partner_id = aml.partner_id
                                             AND member.company_id = aml.company_id
             WHERE aml.parent_state = 'posted' AND aml.company_id = %(company)s
               AND aml.account_id IN %(accounts)s AND aml.date <= %(to)s
          GROUP BY member.id
                   %(holding)s
          ORDER BY member.id
        """, weight=weight, company=self.company_id.id, accounts=tuple(self.product_ids.account_id.ids),
             to=self.date_to, holding=holding))
        return [(member_id, float(basis)) for member_id, basis in self.env.cr.fetchall() if basis and basis > 0]

    # ------------------------------------------------------------------
    # Approve and post
    # ------------------------------------------------------------------

    def action_approve(self):
        """Record the AGM's decision (a manager); the lines are frozen from here on."""
        self.ensure_one()
        if self.state != 'computed':
            raise UserError(_("Preview %s before approving it.", self.name))
        if not self.line_ids:
            raise UserError(_("%s pays nobody: check the products, period and rate.", self.name))
        if self.tax_total and not self.tax_account_id:
            raise UserError(_("Choose the account of the withholding tax."))
        paid_out = self.line_ids.filtered('payout')
        if paid_out != self.line_ids and not self.credit_product_id:
            raise UserError(_("Choose the product whose accounts are credited (e.g. savings)."))
        if paid_out and not self.payout_journal_id:
            raise UserError(_("Choose the journal the payouts are paid from."))
        self.write({'state': 'approved', 'approved_by_id': self.env.user.id})
        return True

    def action_reset(self):
        self.ensure_one()
        if self.state == 'posted' or self.line_ids.filtered('move_id'):
            raise UserError(_("%s is posted: reverse its entries instead.", self.name))
        self.write({'state': 'draft', 'approved_by_id': False})
        return True

    def action_post(self):
        """Post in entries of 1 000 members, each batch committed (outside tests); a run interrupted half-way
        continues with the members not posted yet.

        Two workers (or a double click) may post the same run at once: each batch is posted while holding the
        run's row lock, taken without waiting, and its lines are claimed. The second poster is told the run is
        busy; if it takes the lock between two batches of the first, both share the remaining lines and no
        member is paid twice.
        """
        self.ensure_one()
        Line = self.env['ddcpts.sacco.interest.line']
        first_batch = True
        while True:
            run = lock_rows(self, skip_locked=True)
            if not run:
                if first_batch:
                    raise UserError(_("%s is being posted by someone else: reload it in a moment.", self.name))
                return True  # the other poster holds the run now and finishes it
            if run.state != 'approved':
                if first_batch:
                    raise UserError(_("%s is posted already.", run.name) if run.state == 'posted'
                                    else _("Approve %s before posting it.", run.name))
                return True
            lines = claim_batch(Line, [('run_id', '=', run.id), ('move_id', '=', False)], limit=POST_BATCH)
            if not lines:
                break
            lines._sacco_post_batch()
            first_batch = False
            if not in_test_mode():
                self.env.cr.commit()
        run.state = 'posted'
        run._message_log(body=_("Posted: %(count)s members, net %(net)s, withholding tax %(tax)s.",
                                count=run.member_count, net=run.currency_id.format(run.net_total),
                                tax=run.currency_id.format(run.tax_total)))
        return True
