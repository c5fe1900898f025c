import re
from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.ddcpts_base.tools import schema
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_base.tools.locking import lock_rows, process_queue
from odoo.addons.ddcpts_sacco.tools import loan_schedule as ls
from odoo.addons.ddcpts_sacco_loan import const


class DdcptsSaccoLoan(models.Model):
    """A member's loan, from the application to its closure (Fineract's loan account).

    What the borrower owes lives on the installments (due and paid per component); the loan's totals
    are their sums, stored so that the daily job, the risk reports and the portfolio views read them
    set-based. Every movement of money is a ``ddcpts.sacco.loan.transaction`` with its journal entry.
    """
    _name = 'ddcpts.sacco.loan'
    _description = "SACCO Loan"
    _inherit = ['ddcpts.chatter.mixin', 'mail.thread', 'mail.activity.mixin']
    _order = 'id desc'
    _check_company_auto = True

    name = fields.Char("Loan Number", readonly=True, copy=False, index=True, default=lambda self: _("New"),
                       help="Also the paybill account number members repay with (LN0007).")
    member_id = fields.Many2one('ddcpts.sacco.member', "Borrower", required=True, index=True, tracking=True,
                                check_company=True, ondelete='restrict')
    partner_id = fields.Many2one(related='member_id.partner_id', store=True, index=True)
    product_id = fields.Many2one('ddcpts.sacco.loan.product', required=True, tracking=True, check_company=True,
                                 ondelete='restrict', index=True)
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related='company_id.currency_id')
    state = fields.Selection(const.LOAN_STATES, default='draft', required=True, readonly=True, tracking=True,
                             index=True, copy=False)
    user_id = fields.Many2one('res.users', "Loan Officer", default=lambda self: self.env.user, tracking=True)
    purpose = fields.Char()

    # terms (copied from the product when applying, then the loan's own)
    amount_requested = fields.Monetary("Amount Applied For", required=True, tracking=True)
    installments = fields.Integer("Term (Installments)", required=True, tracking=True)
    annual_rate = fields.Float("Annual Interest Rate (%)", digits=(6, 4), readonly=True)
    interest_method = fields.Selection(const.INTEREST_METHODS, readonly=True)
    frequency = fields.Selection(const.FREQUENCIES, readonly=True)
    first_due_date = fields.Date(help="Empty: one period after the disbursement.")
    fee_amount = fields.Monetary("Processing Fee", readonly=True)
    insurance_amount = fields.Monetary("Insurance", readonly=True)
    principal = fields.Monetary(readonly=True, tracking=True,
                                help="What the borrower owes in principal: the amount applied for, plus the "
                                     "charges the product capitalises.")
    net_disbursed = fields.Monetary("Net Disbursement", readonly=True,
                                    help="What the borrower receives: the amount less the deducted charges and "
                                         "any loan a top-up clears.")
    disbursement_method = fields.Selection(const.DISBURSEMENT_METHODS, default='mobile', required=True)
    disbursement_journal_id = fields.Many2one('account.journal', check_company=True,
                                              domain="[('type', 'in', ('bank', 'cash'))]",
                                              help="Journal the money leaves from (mobile money: the payout's).")
    payout_channel = fields.Selection(selection='_selection_payout_channel', default='manual',
                                      help="How a mobile-money disbursement is sent (the payout's channel).")
    payout_id = fields.Many2one('ddcpts.payout', readonly=True, copy=False)
    topup_of_id = fields.Many2one('ddcpts.sacco.loan', "Tops Up", readonly=True, copy=False, check_company=True,
                                  help="The loan this one clears at disbursement (top-up / refinance).")

    # lifecycle dates and actors (maker-checker)
    applied_on = fields.Date(readonly=True, copy=False)
    submitted_by_id = fields.Many2one('res.users', "Submitted By", readonly=True, copy=False)
    appraised_by_id = fields.Many2one('res.users', "Appraised By", readonly=True, copy=False, tracking=True)
    appraised_on = fields.Date(readonly=True, copy=False)
    eligibility_notes = fields.Text(readonly=True, copy=False, help="Reasons of the last eligibility check.")
    approved_by_id = fields.Many2one('res.users', "Approved By", readonly=True, copy=False, tracking=True)
    approved_on = fields.Date(readonly=True, copy=False)
    disbursed_on = fields.Date(readonly=True, copy=False, tracking=True, index=True)
    closed_on = fields.Date(readonly=True, copy=False, tracking=True)
    rejection_reason = fields.Char(readonly=True, copy=False, tracking=True)

    line_ids = fields.One2many('ddcpts.sacco.loan.installment', 'loan_id', "Schedule", copy=False)
    guarantor_ids = fields.One2many('ddcpts.sacco.loan.guarantor', 'loan_id', "Guarantors", copy=False)
    transaction_ids = fields.One2many('ddcpts.sacco.loan.transaction', 'loan_id', "Transactions", copy=False)

    # balances: stored sums of the installments (kept by the ORM on every change of a line)
    principal_outstanding = fields.Monetary(compute='_compute_balances', store=True)
    interest_outstanding = fields.Monetary(compute='_compute_balances', store=True,
                                           help="Interest due or scheduled and not yet paid nor waived.")
    penalty_outstanding = fields.Monetary(compute='_compute_balances', store=True)
    fee_outstanding = fields.Monetary(compute='_compute_balances', store=True)
    total_outstanding = fields.Monetary(compute='_compute_balances', store=True)
    total_paid = fields.Monetary(compute='_compute_balances', store=True)

    # daily job (docs/sacco-loans.md, "Daily job"): written by set-based SQL, idempotent per date
    job_date = fields.Date("Daily Job Run On", readonly=True, copy=False, index=True)
    days_in_arrears = fields.Integer(readonly=True, copy=False, index=True,
                                     help="Days since the oldest installment still unpaid (beyond the tolerance) "
                                          "fell due.")
    overdue_since = fields.Date(readonly=True, copy=False)
    arrears_amount = fields.Monetary(readonly=True, copy=False, help="Installments due and unpaid.")
    interest_accrued = fields.Monetary(readonly=True, copy=False,
                                       help="Interest earned to the last daily job, booked as income.")
    next_due_date = fields.Date(compute='_compute_next_due', store=True)

    _sql_constraints = [
        ('name_company_uniq', 'unique(name, company_id)', "The loan number is used already."),
        ('amount_positive', 'CHECK(amount_requested > 0)', "A loan amount must be greater than zero."),
        ('installments_positive', 'CHECK(installments > 0)', "A loan needs at least one installment."),
    ]

    @api.depends('line_ids.principal', 'line_ids.principal_paid', 'line_ids.interest', 'line_ids.interest_paid',
                 'line_ids.interest_waived', 'line_ids.penalty', 'line_ids.penalty_paid', 'line_ids.penalty_waived',
                 'line_ids.fee', 'line_ids.fee_paid', 'line_ids.principal_written_off')
    def _compute_balances(self):
        for loan in self:
            lines = loan.line_ids
            loan.principal_outstanding = sum(lines.mapped('principal')) - sum(lines.mapped('principal_paid')) \
                - sum(lines.mapped('principal_written_off'))
            loan.interest_outstanding = sum(lines.mapped('interest')) - sum(lines.mapped('interest_paid')) \
                - sum(lines.mapped('interest_waived'))
            loan.penalty_outstanding = sum(lines.mapped('penalty')) - sum(lines.mapped('penalty_paid')) \
                - sum(lines.mapped('penalty_waived'))
            loan.fee_outstanding = sum(lines.mapped('fee')) - sum(lines.mapped('fee_paid'))
            loan.total_outstanding = loan.principal_outstanding + loan.interest_outstanding \
                + loan.penalty_outstanding + loan.fee_outstanding
            loan.total_paid = sum(lines.mapped('total_paid'))

    @api.depends('line_ids.due_date', 'line_ids.state')
    def _compute_next_due(self):
        for loan in self:
            unpaid = loan.line_ids.filtered(lambda line: line.state != 'paid').sorted('due_date')
            loan.next_due_date = unpaid[:1].due_date

    @api.depends('name', 'member_id')
    def _compute_display_name(self):
        for loan in self:
            loan.display_name = f"{loan.name} {loan.member_id.name}" if loan.member_id else loan.name

    @api.model
    def _selection_payout_channel(self):
        return self.env['ddcpts.payout']._fields['channel']._description_selection(self.env)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            product = self.env['ddcpts.sacco.loan.product'].browse(vals.get('product_id'))
            vals.update(self._loan_product_terms(product, vals))
            company = self.env['res.company'].browse(vals.get('company_id')) or product.company_id \
                or self.env.company
            vals['company_id'] = company.id
            vals['name'] = self.env['ir.sequence'].with_company(company).next_by_code('ddcpts.sacco.loan')
        loans = super().create(vals_list)
        loans._loan_compute_amounts()
        return loans

    @api.model
    def _loan_product_terms(self, product, vals):
        """The product's terms a new loan starts from (the loan keeps them if the product changes)."""
        if not product:
            return {}
        return {'annual_rate': product.annual_rate, 'interest_method': product.interest_method,
                'frequency': product.frequency, 'installments': vals.get('installments') or
                product.installments_default}

    def write(self, vals):
        if 'name' in vals or 'company_id' in vals:
            raise UserError(_("A loan number and company never change."))
        terms = {'amount_requested', 'installments', 'product_id', 'member_id'}
        if terms & set(vals) and self.filtered(lambda loan: loan.state not in ('draft', 'submitted', 'appraisal')):
            raise UserError(_("The amount, term, product and borrower of an approved loan cannot change; "
                              "reschedule or top it up instead."))
        if 'product_id' in vals:
            vals.update(self._loan_product_terms(self.env['ddcpts.sacco.loan.product'].browse(vals['product_id']),
                                                 vals))
        result = super().write(vals)
        if terms & set(vals):
            self._loan_compute_amounts()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda loan: loan.state not in ('draft', 'rejected', 'withdrawn')):
            raise UserError(_("Only draft, rejected or withdrawn applications can be deleted."))

    # ------------------------------------------------------------------
    # Terms, charges, schedule
    # ------------------------------------------------------------------

    def _loan_charges(self, amount=None):
        """(processing fee, insurance) of the amount applied for, rounded to the currency."""
        self.ensure_one()
        product, currency = self.product_id, self.currency_id
        amount = self.amount_requested if amount is None else amount
        fee = product.fee_value if product.fee_type == 'fixed' else amount * product.fee_value / 100
        return currency.round(fee), currency.round(amount * product.insurance_percent / 100)

    def _loan_compute_amounts(self, date=None):
        """Charges, principal and net disbursement; a top-up's net is less the old loan's payoff on
        ``date`` (default today), the day it is cleared."""
        for loan in self:
            fee, insurance = loan._loan_charges()
            capitalised = deducted = 0.0
            for charge, mode in ((fee, loan.product_id.fee_mode), (insurance, loan.product_id.insurance_mode)):
                if mode == 'capitalised':
                    capitalised += charge
                else:
                    deducted += charge
            cleared = loan.topup_of_id._loan_payoff(date or fields.Date.context_today(loan)) \
                if loan.topup_of_id else 0.0
            super(DdcptsSaccoLoan, loan).write({
                'fee_amount': fee, 'insurance_amount': insurance,
                'principal': loan.amount_requested + capitalised,
                'net_disbursed': loan.currency_id.round(loan.amount_requested - deducted - cleared),
            })

    def _loan_terms(self, disbursement_date=None):
        """The engine's :class:`LoanTerms` of this loan (docs/sacco-loans.md)."""
        self.ensure_one()
        product, decimals = self.product_id, self.currency_id.decimal_places
        try:
            return ls.LoanTerms(
                self._loan_decimal(self.principal or self.amount_requested),
                Decimal(str(self.annual_rate)), self.installments,
                disbursement_date or self.disbursed_on or fields.Date.context_today(self),
                method=self.interest_method, frequency=self.frequency, first_due_date=self.first_due_date or None,
                daily_interest=product.daily_interest, grace_principal=product.grace_principal,
                grace_interest_payment=product.grace_interest_payment,
                grace_interest_charged=product.grace_interest_charged, decimals=decimals)
        except ls.LoanScheduleError as error:
            raise UserError(_("%(loan)s: %(error)s", loan=self.name, error=error)) from error

    def _loan_decimal(self, amount):
        return Decimal(str(self.currency_id.round(amount))).quantize(
            Decimal(1).scaleb(-self.currency_id.decimal_places))

    def _loan_schedule_values(self, rows, previous_due=None):
        """Installment values of engine rows; each period runs from the previous due date."""
        self.ensure_one()
        values = []
        for row in rows:
            start = previous_due or (row.due_date - timedelta(days=row.days))
            values.append({'number': row.number, 'date_from': start, 'due_date': row.due_date,
                           'principal': float(row.principal), 'interest': float(row.interest)})
            previous_due = row.due_date
        return values

    def _loan_build_schedule(self, disbursement_date=None):
        """(Re)build the whole schedule from the loan's terms: the preview of an application, the
        definitive schedule at disbursement."""
        for loan in self:
            rows = ls.build_schedule(loan._loan_terms(disbursement_date))
            # schedule lines are written by the loan's actions only, never edited by hand
            loan.sudo().line_ids.unlink()
            loan.sudo().line_ids = [Command.create(values) for values in loan._loan_schedule_values(rows)]

    def action_preview_schedule(self):
        """Show the schedule the loan would have if it were disbursed today."""
        self._loan_check_state(('draft', 'submitted', 'appraisal', 'approved'), _("preview the schedule"))
        self._loan_build_schedule()
        return True

    def _loan_payoff(self, date):
        """What closes the loan on ``date``: principal left, interest and charges due, and the interest of
        the current period accrued day by day (future interest is not owed)."""
        self.ensure_one()
        due = sum(line.outstanding - line._loan_due('principal') for line in self.line_ids if line.due_date <= date)
        current = self.line_ids.filtered(lambda line: line.date_from < date < line.due_date)[:1]
        accrued = 0.0
        if current:
            elapsed = (date - current.date_from).days / (current.due_date - current.date_from).days
            accrued = max(self.currency_id.round(current.interest * elapsed) - current.interest_paid, 0.0)
        return self.currency_id.round(self.principal_outstanding + due + accrued)

    # ------------------------------------------------------------------
    # Eligibility
    # ------------------------------------------------------------------

    def _loan_deposit_history(self, date):
        """The borrower's deposits as (date, amount) pairs for the engine's limit: posted movements of the
        product's deposit accounts, netted per day (a day with a net withdrawal counts nothing)."""
        self.ensure_one()
        accounts = self.product_id._loan_deposit_products().account_id
        rows = self.env['account.move.line'].sudo()._read_group(
            [('account_id', 'in', accounts.ids), ('partner_id', '=', self.partner_id.id),
             ('parent_state', '=', 'posted'), ('date', '<=', date)], ['date:day'], ['balance:sum'])
        return [(day, self._loan_decimal(-balance)) for day, balance in rows if -balance > 0]

    def _loan_limit(self, date=None):
        """The engine's :class:`LoanLimit` of the borrower for this product, less their open loans."""
        self.ensure_one()
        date = date or fields.Date.context_today(self)
        product = self.product_id
        outstanding = sum(self.search([('member_id', '=', self.member_id.id), ('state', '=', 'active'),
                                       ('id', '!=', self.topup_of_id.id)]).mapped('principal_outstanding'))
        return ls.loan_limit(self._loan_deposit_history(date), date,
                             multiple=Decimal(str(product.deposit_multiple)),
                             seasoning_months=product.seasoning_months, boost_days=product.boost_days,
                             boost_factor=Decimal(str(product.boost_factor)),
                             outstanding=self._loan_decimal(outstanding),
                             decimals=self.currency_id.decimal_places)

    def _loan_cover(self):
        """(cover, required): the borrower's free deposits plus accepted pledges, and what the product
        requires of this loan."""
        self.ensure_one()
        products = self.product_id._loan_deposit_products()
        own = max(self.member_id._loan_free_deposits(products)[self.member_id], 0.0)
        pledged = sum(self.guarantor_ids.filtered(lambda g: g.state == 'accepted').mapped('amount'))
        required = self.currency_id.round(self.amount_requested * self.product_id.guarantor_cover_percent / 100)
        return own + pledged, required

    def _loan_eligibility(self, date=None):
        """Reasons the loan cannot be granted as it stands (empty: eligible), in words a clerk reads out
        to the member: membership, amount and term bounds, deposit multiple, existing loans, cover."""
        self.ensure_one()
        date = date or fields.Date.context_today(self)
        product, member, currency = self.product_id, self.member_id, self.currency_id
        reasons = []
        if member.state != 'active':
            reasons.append(_("%s is not an active member.", member.display_name))
        if product.membership_months and (not member.joined_on or
                                          member.joined_on > date - relativedelta(months=product.membership_months)):
            reasons.append(_("Members borrow %(product)s after %(months)s months of membership (member since "
                             "%(since)s).", product=product.name, months=product.membership_months,
                             since=member.joined_on or _("not admitted")))
        reasons += self._loan_bound_errors()
        limit = self._loan_limit(date)
        if currency.compare_amounts(self.amount_requested, float(limit.available)) > 0:
            reasons.append(_(
                "%(amount)s is above the loan limit of %(available)s (deposits counted %(counted)s × %(multiple)s"
                "%(excluded)s, less loans outstanding).", amount=currency.format(self.amount_requested),
                available=currency.format(float(limit.available)), counted=currency.format(float(limit.counted)),
                multiple=product.deposit_multiple,
                excluded=_("; %(recent)s too recent and %(boost)s of lump sums not counted",
                           recent=currency.format(float(limit.too_recent)),
                           boost=currency.format(float(limit.boosting))) if limit.too_recent or limit.boosting
                else ""))
        others = self.search_count([('member_id', '=', member.id), ('product_id', '=', product.id),
                                    ('state', 'in', ('approved', 'active')),
                                    ('id', 'not in', (self | self.topup_of_id).ids)])
        if product.max_active_loans and others >= product.max_active_loans:
            reasons.append(_("%(member)s already has %(count)s %(product)s loan(s) open.", member=member.name,
                             count=others, product=product.name))
        cover, required = self._loan_cover()
        if currency.compare_amounts(cover, required) < 0:
            reasons.append(_("Free deposits and accepted pledges cover %(cover)s of the %(required)s required: "
                             "add guarantors.", cover=currency.format(cover), required=currency.format(required)))
        accepted = len(self.guarantor_ids.filtered(lambda g: g.state == 'accepted'))
        if accepted < product.guarantor_min_count:
            reasons.append(_("%(product)s needs %(count)s guarantors; %(accepted)s accepted so far.",
                             product=product.name, count=product.guarantor_min_count, accepted=accepted))
        if self.topup_of_id:
            reasons += self.topup_of_id._loan_topup_errors(date)
        return reasons

    def _loan_bound_errors(self):
        self.ensure_one()
        product, currency, errors = self.product_id, self.currency_id, []
        if currency.compare_amounts(self.amount_requested, product.amount_min) < 0 or (
                product.amount_max and currency.compare_amounts(self.amount_requested, product.amount_max) > 0):
            errors.append(_("%(product)s lends from %(min)s%(max)s; %(amount)s was asked.", product=product.name,
                            min=currency.format(product.amount_min),
                            max=_(" to %s", currency.format(product.amount_max)) if product.amount_max else "",
                            amount=currency.format(self.amount_requested)))
        if not product.installments_min <= self.installments <= product.installments_max:
            errors.append(_("%(product)s is repaid in %(min)s to %(max)s installments, not %(term)s.",
                            product=product.name, min=product.installments_min, max=product.installments_max,
                            term=self.installments))
        return errors

    def _loan_topup_errors(self, date):
        """Why this (active) loan cannot be topped up yet, per the product's top-up rules."""
        self.ensure_one()
        product = self.product_id
        if self.state != 'active':
            return [_("%s is not an active loan: only active loans are topped up.", self.name)]
        if not product.topup_allowed:
            return [_("%s loans cannot be topped up.", product.name)]
        errors = []
        repaid = 100 * (1 - self.principal_outstanding / self.principal) if self.principal else 0.0
        if repaid + 1e-9 < product.topup_min_paid_percent:
            errors.append(_("%(loan)s is %(repaid)s %% repaid; a top-up needs %(min)s %%.", loan=self.name,
                            repaid=round(repaid, 1), min=product.topup_min_paid_percent))
        if product.topup_min_months and self.disbursed_on > date - relativedelta(months=product.topup_min_months):
            errors.append(_("%(loan)s can be topped up %(months)s months after its disbursement.", loan=self.name,
                            months=product.topup_min_months))
        return errors

    def action_check_eligibility(self):
        self.ensure_one()
        reasons = self._loan_eligibility()
        self.eligibility_notes = "\n".join(reasons) or _("Eligible.")
        # close: the form reloads the reasons kept on its appraisal tab
        if reasons:
            return notification("\n".join(reasons), _("%s is not eligible", self.name), 'warning', sticky=True,
                                close=True)
        return notification(_("The member is eligible for this loan."), _("%s is eligible", self.name), close=True)

    # ------------------------------------------------------------------
    # Lifecycle
    # ------------------------------------------------------------------

    def _loan_check_state(self, allowed, action):
        wrong = self.filtered(lambda loan: loan.state not in allowed)
        if wrong:
            raise UserError(_("%(loan)s is %(state)s: cannot %(action)s.", loan=wrong[0].name,
                              state=dict(const.LOAN_STATES)[wrong[0].state].lower(), action=action))

    def _loan_applicant_users(self):
        """Who applied: the member's own user and whoever submitted the application."""
        self.ensure_one()
        return self.member_id.partner_id.user_ids | self.submitted_by_id

    def _loan_sms(self, template_xmlid, records=None):
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        for record in (records if records is not None else self):
            if template and record.partner_id.mobile:
                record._message_sms_with_template(template=template, partner_ids=record.partner_id.ids,
                                                  put_in_queue=True)

    def action_submit(self):
        """The application enters the queue: hard limits are checked now (amount, term, loan limit),
        the schedule is previewed, the applicant and the guarantors are told by SMS."""
        self._loan_check_state(('draft',), _("submit the application"))
        for loan in self:
            errors = loan._loan_bound_errors()
            limit = loan._loan_limit()
            if loan.currency_id.compare_amounts(loan.amount_requested, float(limit.available)) > 0:
                errors.append(_("%(amount)s is above the member's loan limit of %(available)s.",
                                amount=loan.currency_id.format(loan.amount_requested),
                                available=loan.currency_id.format(float(limit.available))))
            if errors:
                raise UserError("\n".join(errors))
        self.write({'state': 'submitted', 'applied_on': fields.Date.context_today(self),
                    'submitted_by_id': self.env.user.id})
        self._loan_build_schedule()
        for loan in self:
            loan._loan_sms('ddcpts_sacco_loan.sms_template_loan_submitted')
            loan.guarantor_ids.filtered(lambda g: g.state == 'requested')._loan_notify_request()
            loan.activity_schedule('mail.mail_activity_data_todo', user_id=loan.user_id.id,
                                   summary=_("Appraise loan application %s", loan.name))
        return True

    def action_appraise(self):
        """The officer's appraisal: the eligibility reasons are recorded for the approver."""
        self._loan_check_state(('submitted',), _("appraise the application"))
        for loan in self:
            if self.env.user in loan._loan_applicant_users() - loan.submitted_by_id:
                raise UserError(_("You cannot appraise your own loan application."))
            reasons = loan._loan_eligibility()
            loan.write({'state': 'appraisal', 'appraised_by_id': self.env.user.id,
                        'appraised_on': fields.Date.context_today(loan),
                        'eligibility_notes': "\n".join(reasons) or _("Eligible.")})
            loan.activity_feedback(['mail.mail_activity_data_todo'])
            loan.message_post(body=_("Appraised: %s", loan.eligibility_notes))
        return True

    def _loan_check_approver(self, user):
        """Maker-checker: the approver is neither the applicant nor the appraiser and belongs to the
        product's approval level for the amount."""
        self.ensure_one()
        if user in self._loan_applicant_users():
            raise UserError(_("%(user)s applied for %(loan)s and cannot approve it.", user=user.name, loan=self.name))
        if user == self.appraised_by_id:
            raise UserError(_("%(user)s appraised %(loan)s: another person must approve it.", user=user.name,
                              loan=self.name))
        level = self.product_id._loan_required_level(self.amount_requested)
        if level and level.group_id not in user.groups_id:
            raise UserError(_("A loan of %(amount)s must be approved by %(group)s.",
                              amount=self.currency_id.format(self.amount_requested), group=level.group_id.full_name))

    def action_approve(self):
        self._loan_check_state(('appraisal',), _("approve the application"))
        for loan in self:
            loan._loan_check_approver(self.env.user)
            reasons = loan._loan_eligibility()
            if reasons:
                raise UserError(_("%(loan)s cannot be approved:\n%(reasons)s", loan=loan.name,
                                  reasons="\n".join(reasons)))
            loan.write({'state': 'approved', 'approved_by_id': self.env.user.id,
                        'approved_on': fields.Date.context_today(loan)})
            loan._loan_sms('ddcpts_sacco_loan.sms_template_loan_approved')
            loan.activity_schedule('mail.mail_activity_data_todo', user_id=loan.user_id.id,
                                   summary=_("Disburse loan %s", loan.name))
        return True

    def _loan_auto_approve(self):
        """Approve this submitted self-service application (USSD, JSON-RPC) without an officer when its
        product allows it and the member is eligible (limit, bounds, cover, existing loans); return
        whether it was approved."""
        self.ensure_one()
        if not self.product_id.auto_approval or self.state != 'submitted' or self._loan_eligibility():
            return False
        self.write({'state': 'approved', 'approved_on': fields.Date.context_today(self),
                    'eligibility_notes': _("Eligible.")})
        self.message_post(body=_("Approved automatically: a self-service application within the member's limit "
                                 "and cover, for a product that approves them without an officer."))
        self._loan_sms('ddcpts_sacco_loan.sms_template_loan_approved')
        self.activity_unlink(['mail.mail_activity_data_todo'])
        self.activity_schedule('mail.mail_activity_data_todo', user_id=self.user_id.id,
                               summary=_("Disburse loan %s", self.name))
        return True

    def action_reject(self, reason=None):
        self._loan_check_state(('submitted', 'appraisal', 'approved'), _("reject the application"))
        self.write({'state': 'rejected', 'rejection_reason': reason or _("Rejected by %s", self.env.user.name)})
        self.guarantor_ids.filtered(lambda g: g.state in ('requested', 'accepted')).write({'state': 'released'})
        self.activity_unlink(['mail.mail_activity_data_todo'])
        return True

    def action_withdraw(self):
        self._loan_check_state(('draft', 'submitted', 'appraisal', 'approved'), _("withdraw the application"))
        if self.payout_id.filtered(lambda payout: payout.state not in ('cancel', 'failed')):
            raise UserError(_("The disbursement of %s is under way: cancel its payout first.", self.name))
        self.write({'state': 'withdrawn'})
        self.guarantor_ids.filtered(lambda g: g.state in ('requested', 'accepted')).write({'state': 'released'})
        self.activity_unlink(['mail.mail_activity_data_todo'])
        return True

    @api.model
    def _loan_find_by_reference(self, reference, company):
        """The open loan a paybill reference such as ``LN0007`` designates (empty when none)."""
        reference = re.sub(r'[\s-]', '', (reference or '').upper())
        if not re.match(const.PAYBILL_PATTERN, reference):
            return self
        return self.sudo().search([('name', '=', reference), ('company_id', '=', company.id),
                                   ('state', 'in', ('active', 'closed', 'written_off'))], limit=1)

    # ------------------------------------------------------------------
    # Disbursement
    # ------------------------------------------------------------------

    def action_disburse(self, date=None):
        """Pay the net amount out: by payout (mobile money, approved by a second person) or at once by
        bank or cash. The loan becomes active when the money has left."""
        self._loan_check_state(('approved',), _("disburse the loan"))
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        for loan in self:
            loan._loan_compute_amounts(date)
            if loan.currency_id.compare_amounts(loan.net_disbursed, 0) <= 0:
                raise UserError(_("%s leaves nothing to disburse once its charges and the loan it clears are "
                                  "deducted.", loan.name))
            journal = loan.disbursement_journal_id.sudo()  # officers pay out without accounting rights
            if loan.disbursement_method == 'mobile':
                if loan.payout_id.filtered(lambda payout: payout.state not in ('cancelled', 'failed')):
                    raise UserError(_("%(loan)s is already being paid out by %(payout)s.", loan=loan.name,
                                      payout=loan.payout_id.name))
                journal = journal or self.env['account.journal'].sudo().search(
                    [('type', '=', 'bank'), ('company_id', '=', loan.company_id.id)], limit=1)
                payout = self.env['ddcpts.payout'].create({
                    'partner_id': loan.partner_id.id, 'recipient_phone': loan.member_id.phone,
                    'amount': loan.net_disbursed, 'journal_id': journal.id, 'company_id': loan.company_id.id,
                    'channel': loan.payout_channel,
                    'purpose': _("Loan %s", loan.name), 'origin': f'{loan._name},{loan.id}'})
                payout.action_submit()
                loan.payout_id = payout
                loan.message_post(body=_("Disbursement of %(amount)s requested by payout %(payout)s.",
                                         amount=loan.currency_id.format(loan.net_disbursed), payout=payout.name))
            else:
                if not journal:
                    raise UserError(_("Choose the bank or cash journal %s is paid from.", loan.name))
                loan._loan_post_disbursement(date, journal.default_account_id)
        return True

    def _loan_disbursed_by_payout(self, payout):
        """The payout's money reached the member: book the loan against the receivable the outbound
        payment debited, and reconcile both."""
        self.ensure_one()
        receivable_account = payout.payment_id.destination_account_id
        receivable = payout.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id == receivable_account and not line.reconciled)
        move = self._loan_post_disbursement(payout.payment_id.date, receivable_account)
        (receivable | move.line_ids.filtered(lambda line: line.account_id == receivable_account)).reconcile()

    def _loan_post_disbursement(self, date, paid_from_account):
        """The disbursement entry: the principal to the member's loan receivable; the net paid from
        ``paid_from_account``; the fee to income; the insurance to the insurer's payable. A top-up first
        clears the loan it replaces through the member's receivable."""
        self.ensure_one()
        product, partner = self.product_id, self.partner_id
        receivable_account = partner.with_company(self.company_id).property_account_receivable_id
        # what the net disbursement left aside to clear a topped-up loan (its payoff when requested)
        cleared = self.currency_id.round(self.principal - self.fee_amount - self.insurance_amount
                                         - self.net_disbursed) if self.topup_of_id else 0.0
        lines = [(product.receivable_account_id, self.principal, partner),
                 (paid_from_account, -self.net_disbursed, partner),
                 (product.fee_income_account_id, -self.fee_amount, partner),
                 (product.insurance_account_id or product.fee_income_account_id, -self.insurance_amount, partner)]
        if cleared:
            lines.append((receivable_account, -cleared, partner))
        move = self._loan_post(lines, date, _("Disbursement %s", self.name))
        self._loan_build_schedule(date)
        self.write({'state': 'active', 'disbursed_on': date})
        self.env['ddcpts.sacco.loan.transaction'].sudo().create({
            'loan_id': self.id, 'type': 'disbursement', 'date': date, 'amount': self.principal,
            'principal': self.principal, 'fee': self.fee_amount, 'move_id': move.id,
            'channel': 'mobile' if self.disbursement_method == 'mobile' else self.disbursement_method})
        if cleared:
            self.topup_of_id._loan_repay(cleared, date, 'topup', receivable_account,
                                         reference=_("Top-up %s", self.name))
        self.activity_feedback(['mail.mail_activity_data_todo'])
        self.message_post(body=_("Disbursed %(amount)s on %(date)s.",
                                 amount=self.currency_id.format(self.net_disbursed), date=fields.Date.to_string(date)))
        self._loan_sms('ddcpts_sacco_loan.sms_template_loan_disbursed')
        self.env['ddcpts.webhook.endpoint']._ddcpts_emit('loan.disbursed', self._loan_webhook_data(), record=self)
        return move

    def action_undo_disbursal(self):
        """Fineract's "undo disbursal": a loan disbursed by mistake goes back to approved. Only before
        any repayment; the disbursement entry and the interest accrued are reversed."""
        for loan in self:
            loan._loan_check_state(('active',), _("undo the disbursal"))
            loan = lock_rows(loan).sudo()
            if loan.transaction_ids.filtered(lambda tx: tx.type != 'disbursement' and not tx.reversed):
                raise UserError(_("%s has repayments or other movements since its disbursement: its disbursal "
                                  "can no longer be undone.", loan.name))
            today = fields.Date.context_today(loan)
            disbursement = loan.transaction_ids.filtered(lambda tx: tx.type == 'disbursement' and not tx.reversed)
            disbursement.move_id._reverse_moves([{'date': today, 'ref': _("Undo disbursal %s", loan.name)}],
                                                cancel=True)
            product = loan.product_id
            if loan.interest_accrued and product.interest_receivable_account_id:
                loan._loan_post([(product.interest_income_account_id, loan.interest_accrued, loan.partner_id),
                                 (product.interest_receivable_account_id, -loan.interest_accrued, loan.partner_id)],
                                today, _("Undo disbursal %s: interest accrued", loan.name))
            disbursement.reversed = True
            loan.write({'state': 'approved', 'disbursed_on': False, 'interest_accrued': 0.0, 'job_date': False,
                        'days_in_arrears': 0, 'arrears_amount': 0.0, 'overdue_since': False})
            loan._loan_build_schedule()
            loan.message_post(body=_("Disbursal undone: the entry %s was reversed.", disbursement.move_id.name))
        return True

    def _loan_post(self, lines, date, ref):
        """Post one entry of ``(account, balance, partner)`` lines (zero lines dropped), as superuser:
        officers act through the loan's screens, which check their rights."""
        self.ensure_one()
        line_values = [Command.create({'account_id': account.id, 'balance': balance, 'name': ref,
                                       'partner_id': partner.id if partner else False})
                       for account, balance, partner in lines if not self.currency_id.is_zero(balance)]
        move = self.env['account.move'].sudo().with_company(self.company_id).create({
            'move_type': 'entry', 'journal_id': self.product_id.journal_id.id, 'date': date, 'ref': ref,
            'line_ids': line_values})
        move.action_post()
        self.env['ddcpts.sacco.account'].invalidate_model(['balance'])
        return move

    def _loan_webhook_data(self):
        self.ensure_one()
        return {'loan': self.name, 'member': self.member_id.number, 'product': self.product_id.code,
                'state': self.state, 'principal': self.principal, 'net_disbursed': self.net_disbursed,
                'outstanding': self.total_outstanding, 'days_in_arrears': self.days_in_arrears,
                'currency': self.currency_id.name,
                'disbursed_on': fields.Date.to_string(self.disbursed_on) if self.disbursed_on else None}

    # ------------------------------------------------------------------
    # Repayments
    # ------------------------------------------------------------------

    def _loan_repay_from_transaction(self, tx):
        """Mobile money paid to ``LN0007``: the payment debited the member's receivable; book the
        repayment against it and reconcile. What nobody can absorb goes to the review queue."""
        self.ensure_one()
        payment = tx.payment_id
        receivable_account = payment.destination_account_id
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == receivable_account and not line.reconciled)
        if not receivable:
            return  # applied already (post-processing ran twice)
        amount = -sum(receivable.mapped('balance'))
        try:
            with self.env.cr.savepoint():
                transaction = self.with_company(tx.company_id)._loan_repay(
                    amount, payment.date, 'mobile', receivable_account,
                    reference=tx.provider_reference or tx.reference, payment_tx=tx)
        except UserError as error:
            tx._ddcpts_flag_for_review(str(error))
            return
        if transaction.move_id:
            (receivable | transaction.move_id.line_ids.filtered(
                lambda line: line.account_id == receivable_account)).reconcile()
        if transaction.overpayment and not self.product_id.overpayment_product_id:
            tx._ddcpts_flag_for_review(_(
                "%(amount)s was paid beyond what %(loan)s owes and the product credits overpayments to no "
                "savings account: refund or assign it.", amount=self.currency_id.format(transaction.overpayment),
                loan=self.name))

    def _loan_repay(self, amount, date, channel, counterpart_account, reference=None, payment_tx=None):
        """Allocate ``amount`` paid on ``date`` and book it (docs/sacco-loans.md, "Repayments").

        Installments due by ``date`` are paid oldest first, each component in the product's order; what
        is left pays the loan off (interest not yet earned is not owed) or, short of that, prepays
        principal and reschedules by the product's early-repayment option. Beyond the payoff, the money
        goes to the member's savings (the product's overpayment account). A closed loan takes nothing:
        the whole amount is an overpayment.

        :return: the ``ddcpts.sacco.loan.transaction``; its move debits ``counterpart_account`` only with
            what was booked (an overpayment without a savings account is left to the caller)
        """
        self.ensure_one()
        currency = self.currency_id
        date = fields.Date.to_date(date)
        if currency.compare_amounts(amount, 0) <= 0:
            raise UserError(_("A repayment must be greater than zero."))
        # installments and transactions are written by the loan's actions only (officers read them)
        loan = lock_rows(self).sudo()
        if loan.state not in ('active', 'closed', 'written_off'):
            raise UserError(_("%(loan)s is %(state)s: it cannot be repaid.", loan=loan.name,
                              state=dict(const.LOAN_STATES)[loan.state].lower()))
        if date < loan.disbursed_on:
            raise UserError(_("%(loan)s was disbursed on %(disbursed)s: a repayment dated %(date)s is earlier.",
                              loan=loan.name, disbursed=fields.Date.to_string(loan.disbursed_on),
                              date=fields.Date.to_string(date)))
        paid = {line: dict.fromkeys(const.COMPONENTS, 0.0) for line in loan.line_ids}
        remaining = amount
        if loan.state == 'active':
            remaining = loan._loan_allocate_due(paid, remaining, date)
            if currency.compare_amounts(remaining, 0) > 0:
                remaining = loan._loan_allocate_ahead(paid, remaining, date)
        return loan._loan_book_repayment(paid, amount, remaining, date, channel, counterpart_account, reference,
                                         payment_tx)

    def _loan_allocate_due(self, paid, remaining, date):
        order = self.product_id._loan_allocation_order()
        for line in self.line_ids.filtered(lambda line: line.due_date <= date and line.state != 'paid').sorted(
                'number'):
            for component in order:
                part = min(remaining, line._loan_due(component))
                if part > 0:
                    paid[line][component] += part
                    remaining = self.currency_id.round(remaining - part)
        return remaining

    def _loan_allocate_ahead(self, paid, remaining, date):
        """Money beyond what is due: pay the loan off, or prepay principal and reschedule."""
        currency = self.currency_id
        future = self.line_ids.filtered(lambda line: line.due_date > date).sorted('number')
        principal_left = currency.round(sum(line._loan_due('principal') - paid[line]['principal'] for line in future))
        if not future or currency.is_zero(principal_left):
            return remaining
        if currency.compare_amounts(remaining, principal_left) >= 0:
            # payoff: principal, then the interest earned in the current period; the rest is not owed
            for line in future:
                paid[line]['principal'] += line._loan_due('principal')
            remaining = currency.round(remaining - principal_left)
            current = future[0] if future[0].date_from < date else self.env['ddcpts.sacco.loan.installment']
            for line in future:
                earned = 0.0
                if line == current:
                    elapsed = (date - line.date_from).days / (line.due_date - line.date_from).days
                    earned = max(currency.round(line.interest * elapsed), line.interest_paid)
                line.interest = earned
                part = min(remaining, line._loan_due('interest'))
                if part > 0:
                    paid[line]['interest'] += part
                    remaining = currency.round(remaining - part)
            return remaining
        self._loan_prepay(future, remaining)
        paid[future[0]]['principal'] += remaining
        return 0.0

    def _loan_prepay(self, future, amount):
        """Rebuild the future installments after a lump sum against principal (engine's ``prepay``), by
        the product's option: shorter term or lower installments."""
        product, first = self.product_id, future[0]
        grace_used = len(self.line_ids) - len(future)
        try:
            terms = ls.LoanTerms(
                self._loan_decimal(sum(line._loan_due('principal') for line in future)),
                Decimal(str(self.annual_rate)), len(future), first.date_from, method=self.interest_method,
                frequency=self.frequency, first_due_date=first.due_date,
                due_day=(self.first_due_date or self.disbursed_on).day if self.frequency == ls.MONTHLY else None,
                daily_interest=product.daily_interest,
                grace_principal=max(product.grace_principal - grace_used, 0),
                grace_interest_payment=max(product.grace_interest_payment - grace_used, 0),
                grace_interest_charged=max(product.grace_interest_charged - grace_used, 0),
                decimals=self.currency_id.decimal_places)
            result = ls.prepay(terms, ls.build_schedule(terms), 0, self._loan_decimal(amount),
                               product.prepayment_mode)
        except ls.LoanScheduleError as error:
            raise UserError(_("%(loan)s: %(error)s", loan=self.name, error=error)) from error
        offset = first.number - 1
        rows = {row.number + offset: row for row in result.installments}
        for line in future:
            row = rows.get(line.number)
            if row:
                line.write({'principal': line.principal_paid + float(row.principal), 'interest': float(row.interest),
                            'due_date': row.due_date})
            else:
                line.unlink()
        # the lump sum is principal paid with the first future installment, on top of its new share
        first.principal += amount

    def _loan_book_repayment(self, paid, amount, remaining, date, channel, counterpart_account, reference,
                             payment_tx):
        currency, product, partner = self.currency_id, self.product_id, self.partner_id
        totals = {component: currency.round(sum(parts[component] for parts in paid.values()))
                  for component in const.COMPONENTS}
        overpayment = currency.round(remaining)
        savings = product.overpayment_product_id and self.member_id._sacco_account(product.overpayment_product_id)
        booked = currency.round(amount - (0.0 if savings else overpayment))
        interest_to_receivable = 0.0
        if product.accrual_accounting and product.interest_receivable_account_id:
            interest_to_receivable = min(totals['interest'], max(currency.round(
                self.interest_accrued - sum(self.line_ids.mapped('interest_paid'))), 0.0))
        lines = [
            (counterpart_account, booked, partner),
            (product.receivable_account_id, -totals['principal'], partner),
            (product.interest_receivable_account_id, -interest_to_receivable, partner),
            (product.interest_income_account_id, -(totals['interest'] - interest_to_receivable), partner),
            (product.penalty_income_account_id, -totals['penalty'], partner),
            (product.fee_income_account_id, -totals['fee'], partner),
        ]
        if savings and overpayment:
            lines.append((savings.account_id, -overpayment, partner))
        move = self.env['account.move']
        if not currency.is_zero(booked):
            move = self._loan_post(lines, date, _("Repayment %(loan)s %(reference)s", loan=self.name,
                                                   reference=reference or ''))
        transaction = self.env['ddcpts.sacco.loan.transaction'].create({
            'loan_id': self.id, 'type': 'repayment', 'channel': channel, 'date': date, 'amount': amount,
            'overpayment': overpayment, 'reference': reference, 'move_id': move.id,
            'payment_transaction_id': payment_tx.id if payment_tx else False,
            'allocation_ids': [Command.create({'installment_id': line.id, **parts})
                               for line, parts in paid.items() if line.exists() and any(parts.values())],
            **totals,
        })
        if product.accrual_accounting:
            # interest paid before it accrued is income at once: the daily job must not book it again
            self.interest_accrued += totals['interest'] - interest_to_receivable
        for line, parts in paid.items():
            if line.exists() and any(parts.values()):
                line.write({f'{component}_paid': line[f'{component}_paid'] + parts[component]
                            for component in const.COMPONENTS if parts[component]})
                if line.state == 'paid':
                    line.paid_on = date
        if self.state == 'active' and currency.is_zero(self.total_outstanding):
            self._loan_close(date)
        if overpayment and savings:
            self.message_post(body=_("%(amount)s paid beyond the loan was credited to %(account)s.",
                                     amount=currency.format(overpayment), account=savings.name))
        self.env['ddcpts.webhook.endpoint']._ddcpts_emit('loan.repayment', dict(
            self._loan_webhook_data(), amount=amount, date=fields.Date.to_string(date), reference=reference,
            principal=totals['principal'], interest=totals['interest'], penalty=totals['penalty'], fee=totals['fee'],
            overpayment=overpayment), record=self)
        return transaction

    def _loan_reschedule(self, installments, date, first_due_date=None):
        """Re-amortise the principal not yet due on ``date`` over ``installments`` new installments with
        the engine, interest running from the last due date passed (or the disbursement). Installments
        due by ``date`` stay as they are (arrears are not capitalised); what was paid ahead on later
        ones stays paid. ``first_due_date`` (default: one period on) moves the repayment day.

        :return: the principal re-amortised
        """
        self.ensure_one()
        self._loan_check_state(('active',), _("reschedule the loan"))
        loan = lock_rows(self).sudo()
        currency, product = loan.currency_id, loan.product_id
        future = loan.line_ids.filtered(lambda line: line.due_date > date)
        start = max((loan.line_ids - future).mapped('due_date'), default=loan.disbursed_on)
        principal = currency.round(sum(line._loan_due('principal') for line in future))
        if currency.is_zero(principal):
            raise UserError(_("%s has no principal left to fall due: there is nothing to reschedule.", loan.name))
        if first_due_date and first_due_date <= date:
            raise UserError(_("The first new installment must fall due after %s.", fields.Date.to_string(date)))
        monthly_day = (first_due_date or loan.first_due_date or loan.disbursed_on).day
        try:
            rows = ls.build_schedule(ls.LoanTerms(
                loan._loan_decimal(principal), Decimal(str(loan.annual_rate)), installments, start,
                method=loan.interest_method, frequency=loan.frequency, first_due_date=first_due_date or None,
                due_day=monthly_day if loan.frequency == ls.MONTHLY else None,
                daily_interest=product.daily_interest, decimals=currency.decimal_places))
        except ls.LoanScheduleError as error:
            raise UserError(_("%(loan)s: %(error)s", loan=loan.name, error=error)) from error
        if rows[0].due_date <= date:
            raise UserError(_("The first new installment would fall due on %s, already passed: give a later "
                              "first due date.", fields.Date.to_string(rows[0].due_date)))
        touched = future.filtered(lambda line: line.total_paid or line.interest_waived or line.principal_written_off)
        for line in touched:  # what was paid ahead stays, as a settled installment
            line.write({'principal': line.principal_paid + line.principal_written_off,
                        'interest': line.interest_paid + line.interest_waived, 'fee': line.fee_paid,
                        'penalty': line.penalty_paid + line.penalty_waived})
        (future - touched).unlink()
        offset = max(loan.line_ids.mapped('number'), default=0)
        values = loan._loan_schedule_values(rows, previous_due=start)
        loan.line_ids = [Command.create(dict(vals, number=vals['number'] + offset)) for vals in values]
        if first_due_date:
            loan.first_due_date = first_due_date
        loan.message_post(body=_(
            "Rescheduled on %(date)s: %(principal)s re-amortised from %(start)s over %(count)s installments, "
            "the first due on %(first)s.", date=fields.Date.to_string(date), principal=currency.format(principal),
            start=fields.Date.to_string(start), count=installments, first=fields.Date.to_string(rows[0].due_date)))
        return principal

    def _loan_close(self, date):
        """Obligations met: the loan closes and its guarantors are released."""
        self.write({'state': 'closed', 'closed_on': date, 'days_in_arrears': 0, 'arrears_amount': 0.0,
                    'overdue_since': False})
        self.guarantor_ids.filtered(lambda g: g.state == 'accepted').write({'state': 'released'})
        self.message_post(body=_("Repaid in full: the loan is closed and its guarantors released."))

    # ------------------------------------------------------------------
    # Waivers and write-off (Fineract: waive interest / penalty, write off)
    # ------------------------------------------------------------------

    def action_waive_penalties(self):
        for loan in self:
            loan._loan_waive('penalty', fields.Date.context_today(loan))
        return True

    def action_waive_interest(self):
        for loan in self:
            loan._loan_waive('interest', fields.Date.context_today(loan))
        return True

    def _loan_waive(self, component, date, amount=None):
        """Forgive interest or penalties still owed (all of them, or ``amount``), oldest installment
        first. Interest already booked as income by the accrual is taken back out of income."""
        self.ensure_one()
        if component not in ('interest', 'penalty'):
            raise UserError(_("Only interest and penalties can be waived."))
        self._loan_check_state(('active',), _("waive charges"))
        loan = lock_rows(self).sudo()
        currency, product = loan.currency_id, loan.product_id
        owed = currency.round(sum(line._loan_due(component) for line in loan.line_ids))
        remaining = owed if amount is None else min(amount, owed)
        if currency.compare_amounts(remaining, 0) <= 0:
            raise UserError(_("%(loan)s owes no %(component)s to waive.", loan=loan.name, component=component))
        waived, allocations = 0.0, []
        for line in loan.line_ids.sorted('number'):
            part = min(remaining - waived, line._loan_due(component))
            if part > 0:
                line[f'{component}_waived'] += part
                allocations.append(Command.create({'installment_id': line.id, component: part}))
                waived = currency.round(waived + part)
        move = self.env['account.move']
        if component == 'interest' and product.accrual_accounting and product.interest_receivable_account_id:
            booked = min(waived, max(currency.round(loan.interest_accrued - sum(loan.line_ids.mapped('interest_paid'))),
                                     0.0))
            if booked:
                move = loan._loan_post([(product.interest_income_account_id, booked, loan.partner_id),
                                        (product.interest_receivable_account_id, -booked, loan.partner_id)],
                                       date, _("Interest waived %s", loan.name))
                loan.interest_accrued -= booked
        loan.env['ddcpts.sacco.loan.transaction'].create({
            'loan_id': loan.id, 'type': 'waiver', 'date': date, 'amount': waived, component: waived,
            'move_id': move.id, 'allocation_ids': allocations})
        loan.message_post(body=_("%(amount)s of %(component)s waived.", amount=currency.format(waived),
                                 component=component))
        if currency.is_zero(loan.total_outstanding):
            loan._loan_close(date)
        return waived

    def action_write_off(self):
        for loan in self:
            loan._loan_write_off(fields.Date.context_today(loan))
        return True

    def _loan_write_off(self, date):
        """Default: interest and penalties still owed are waived; the principal is recovered from the
        borrower's deposits first, then from the guarantors in proportion to their pledges (each at most
        their pledge and their deposits); what is left is written off to expense."""
        self.ensure_one()
        self._loan_check_state(('active',), _("write the loan off"))
        for component in ('penalty', 'interest'):
            if not self.currency_id.is_zero(sum(line._loan_due(component) for line in self.line_ids)):
                self._loan_waive(component, date)
        loan = lock_rows(self).sudo()
        currency, product = loan.currency_id, loan.product_id
        left = loan.principal_outstanding
        deposits = product._loan_deposit_products()

        def recover(member, wanted):
            """Debit up to ``wanted`` of ``member``'s deposits, account by account, to the loan portfolio."""
            taken = 0.0
            for account in member.account_ids.filtered(lambda acc: acc.product_id in deposits):
                part = min(wanted - taken, max(account.balance, 0.0))
                if part > 0:
                    loan._loan_post([(account.account_id, part, member.partner_id),
                                     (product.receivable_account_id, -part, loan.partner_id)],
                                    date, _("Recovery %(loan)s from %(member)s", loan=loan.name, member=member.number))
                    taken = currency.round(taken + part)
            return taken

        recovered = recover(loan.member_id, left)
        pledges = loan.guarantor_ids.filtered(lambda pledge: pledge.state == 'accepted')
        pledged = sum(pledges.mapped('amount'))
        still_owed = currency.round(left - recovered)
        for pledge in pledges:
            share = currency.round(still_owed * pledge.amount / pledged) if pledged else 0.0
            taken = recover(pledge.member_id, min(share, pledge.amount)) if share > 0 else 0.0
            pledge.write({'state': 'called', 'amount_recovered': taken})
            recovered = currency.round(recovered + taken)
        written_off = currency.round(left - recovered)
        move = self.env['account.move']
        if written_off:
            move = loan._loan_post([(product.write_off_account_id or product.interest_income_account_id, written_off,
                                     loan.partner_id),
                                    (product.receivable_account_id, -written_off, loan.partner_id)],
                                   date, _("Write-off %s", loan.name))
        for line in loan.line_ids.sorted('number'):
            due = line._loan_due('principal')
            paid = min(due, recovered)
            recovered = currency.round(recovered - paid)
            line.write({'principal_paid': line.principal_paid + paid, 'principal_written_off': due - paid})
        Transaction = loan.env['ddcpts.sacco.loan.transaction']
        Transaction.create({'loan_id': loan.id, 'type': 'recovery', 'channel': 'deposits', 'date': date,
                            'amount': left - written_off, 'principal': left - written_off})
        Transaction.create({'loan_id': loan.id, 'type': 'write_off', 'date': date, 'amount': written_off,
                            'principal': written_off, 'move_id': move.id})
        loan.write({'state': 'written_off', 'closed_on': date})
        loan.message_post(body=_("Written off: %(recovered)s recovered from deposits and guarantors, %(lost)s "
                                 "written off.", recovered=currency.format(left - written_off),
                                 lost=currency.format(written_off)))

    # ------------------------------------------------------------------
    # Daily job: penalties, arrears, interest accrual (docs/sacco-loans.md, "Daily job")
    # ------------------------------------------------------------------

    @api.model
    def _cron_loan_daily(self, date=None, limit=100000, chunk=2000):
        """Bring every active loan to ``date`` (default today). A loan is claimed (SKIP LOCKED) and
        stamped with the date in the same chunk, so several workers share the work and a second run
        the same day finds nothing to do."""
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        domain = [('state', '=', 'active'), '|', ('job_date', '=', False), ('job_date', '<', date)]
        return process_queue(self, domain, lambda loans: loans._loan_daily_job(date), limit=limit, chunk=chunk,
                             cron_xmlid='ddcpts_sacco_loan.ir_cron_sacco_loan_daily')

    def _loan_daily_job(self, date):
        """Set-based: a fixed number of queries for any number of loans (bench/bench_loan_daily.py)."""
        if not self:
            return
        self.flush_model()
        self.env['ddcpts.sacco.loan.installment'].flush_model()
        ids = tuple(self.ids)
        self._loan_charge_penalties(ids, date)
        newly_overdue = self._loan_update_arrears(ids, date)
        self._loan_accrue_interest(ids, date)
        self.invalidate_model()
        self.env['ddcpts.sacco.loan.installment'].invalidate_model()
        self.env['ddcpts.sacco.loan.guarantor'].invalidate_model(['amount_locked'])
        subscribed = newly_overdue and self.env['ddcpts.webhook.endpoint'].sudo().search_count(
            [('event_ids.code', '=', 'loan.overdue')], limit=1)
        for loan in self.browse(newly_overdue if subscribed else []):
            self.env['ddcpts.webhook.endpoint']._ddcpts_emit('loan.overdue', loan._loan_webhook_data, record=loan)

    def _loan_charge_penalties(self, ids, date):
        """One penalty per repayment period an installment stays overdue beyond the tolerance: the count
        charged so far is kept on the installment, so a rerun for the same date charges nothing."""
        self.env.cr.execute(SQL("""
            WITH due AS (
                SELECT line.id, product.penalty_type, product.penalty_value, currency.decimal_places AS dp,
                       COALESCE(product.arrears_tolerance_amount, 0) AS tolerance,
                       line.principal + line.interest - COALESCE(line.principal_paid, 0)
                           - COALESCE(line.interest_paid, 0) - COALESCE(line.interest_waived, 0)
                           - COALESCE(line.principal_written_off, 0) AS overdue,
                       (%(date)s - line.due_date - COALESCE(product.arrears_tolerance_days, 0) - 1)
                           / CASE loan.frequency WHEN 'weekly' THEN 7 WHEN 'fortnightly' THEN 14 ELSE 30 END
                           + 1 AS periods
                  FROM ddcpts_sacco_loan_installment line
                  JOIN ddcpts_sacco_loan loan ON loan.id = line.loan_id
                  JOIN ddcpts_sacco_loan_product product ON product.id = loan.product_id
                  JOIN res_company company ON company.id = loan.company_id
                  JOIN res_currency currency ON currency.id = company.currency_id
                 WHERE line.loan_id IN %(ids)s AND product.penalty_value > 0
                   AND line.due_date + COALESCE(product.arrears_tolerance_days, 0) < %(date)s
            ), charge AS (
                SELECT due.id, due.periods,
                       ROUND(CAST((due.periods - COALESCE(line.penalty_periods, 0)) * CASE due.penalty_type
                           WHEN 'fixed' THEN due.penalty_value ELSE due.overdue * due.penalty_value / 100 END
                           AS numeric), due.dp) AS amount
                  FROM due JOIN ddcpts_sacco_loan_installment line ON line.id = due.id
                 WHERE due.periods > COALESCE(line.penalty_periods, 0)
                   AND due.overdue > due.tolerance
            )
            UPDATE ddcpts_sacco_loan_installment line
               SET penalty = COALESCE(line.penalty, 0) + charge.amount,
                   penalty_periods = charge.periods,
                   total_due = line.total_due + charge.amount,
                   outstanding = line.outstanding + charge.amount,
                   state = CASE WHEN line.outstanding + charge.amount > 0 AND line.state = 'paid'
                                THEN 'partial' ELSE line.state END
              FROM charge
             WHERE line.id = charge.id
        """, date=date, ids=ids))
        self.env.cr.execute(SQL("""
            UPDATE ddcpts_sacco_loan loan
               SET penalty_outstanding = totals.penalty, total_outstanding = totals.total
              FROM (SELECT loan_id,
                           SUM(COALESCE(penalty, 0) - COALESCE(penalty_paid, 0) - COALESCE(penalty_waived, 0))
                               AS penalty,
                           SUM(outstanding) AS total
                      FROM ddcpts_sacco_loan_installment WHERE loan_id IN %(ids)s GROUP BY loan_id) totals
             WHERE loan.id = totals.loan_id
               AND (loan.penalty_outstanding IS DISTINCT FROM totals.penalty
                    OR loan.total_outstanding IS DISTINCT FROM totals.total)
        """, ids=ids))

    def _loan_update_arrears(self, ids, date):
        """Days in arrears from the oldest installment unpaid beyond the tolerance; the loans that fall
        into arrears today are returned (``loan.overdue``)."""
        self.env.cr.execute(SQL("""
            WITH arrears AS (
                SELECT loan.id,
                       MIN(line.due_date) FILTER (
                           WHERE line.due_date + COALESCE(product.arrears_tolerance_days, 0) < %(date)s
                             AND line.outstanding > COALESCE(product.arrears_tolerance_amount, 0)) AS since,
                       COALESCE(SUM(line.outstanding) FILTER (WHERE line.due_date <= %(date)s), 0) AS amount
                  FROM ddcpts_sacco_loan loan
                  JOIN ddcpts_sacco_loan_product product ON product.id = loan.product_id
                  LEFT JOIN ddcpts_sacco_loan_installment line ON line.loan_id = loan.id AND line.state != 'paid'
                 WHERE loan.id IN %(ids)s
              GROUP BY loan.id
            ), old AS (
                SELECT id, overdue_since FROM ddcpts_sacco_loan WHERE id IN %(ids)s
            )
            UPDATE ddcpts_sacco_loan loan
               SET overdue_since = arrears.since,
                   days_in_arrears = COALESCE(%(date)s - arrears.since, 0),
                   arrears_amount = arrears.amount
              FROM arrears JOIN old ON old.id = arrears.id
             WHERE loan.id = arrears.id
               AND (loan.overdue_since IS DISTINCT FROM arrears.since
                    OR loan.days_in_arrears IS DISTINCT FROM COALESCE(%(date)s - arrears.since, 0)
                    OR loan.arrears_amount IS DISTINCT FROM arrears.amount)
         RETURNING loan.id, old.overdue_since IS NULL AND arrears.since IS NOT NULL
        """, date=date, ids=ids))
        return [loan_id for loan_id, new in self.env.cr.fetchall() if new]

    def _loan_accrue_interest(self, ids, date):
        """Interest earned to ``date`` (whole installments due, the current one pro rata of its days),
        never less than the interest already paid, is booked as income: one entry per product for the
        difference since the last run. The loans are stamped with ``date``."""
        self.env.cr.execute(SQL("""
            WITH earned AS (
                SELECT loan.id, loan.product_id, COALESCE(loan.interest_accrued, 0) AS before,
                       GREATEST(COALESCE(SUM(CASE
                           WHEN line.due_date <= %(date)s THEN line.interest - COALESCE(line.interest_waived, 0)
                           WHEN line.date_from < %(date)s THEN ROUND(CAST(
                               (line.interest - COALESCE(line.interest_waived, 0))
                               * (%(date)s - line.date_from) / (line.due_date - line.date_from) AS numeric),
                               currency.decimal_places)
                           ELSE 0 END), 0), COALESCE(SUM(COALESCE(line.interest_paid, 0)), 0)) AS target
                  FROM ddcpts_sacco_loan loan
                  JOIN ddcpts_sacco_loan_product product ON product.id = loan.product_id
                  JOIN res_company company ON company.id = loan.company_id
                  JOIN res_currency currency ON currency.id = company.currency_id
                  LEFT JOIN ddcpts_sacco_loan_installment line ON line.loan_id = loan.id
                 WHERE loan.id IN %(ids)s AND product.accrual_accounting
              GROUP BY loan.id, loan.product_id, loan.interest_accrued
            ), stamped AS (
                UPDATE ddcpts_sacco_loan loan
                   SET job_date = %(date)s,
                       interest_accrued = COALESCE(earned.target, loan.interest_accrued)
                  FROM ddcpts_sacco_loan claimed LEFT JOIN earned ON earned.id = claimed.id
                 WHERE loan.id = claimed.id AND claimed.id IN %(ids)s
             RETURNING loan.id
            )
            SELECT earned.product_id, SUM(earned.target - COALESCE(earned.before, 0))
              FROM earned
             WHERE earned.target IS DISTINCT FROM earned.before
          GROUP BY earned.product_id
        """, date=date, ids=ids))
        for product_id, delta in self.env.cr.fetchall():
            product = self.env['ddcpts.sacco.loan.product'].browse(product_id)
            if product.currency_id.is_zero(delta) or not product.interest_receivable_account_id:
                continue
            move = self.env['account.move'].sudo().with_company(product.company_id).create({
                'move_type': 'entry', 'journal_id': product.journal_id.id, 'date': date,
                'ref': _("Interest accrual %(product)s %(date)s", product=product.code,
                         date=fields.Date.to_string(date)),
                'line_ids': [
                    Command.create({'account_id': product.interest_receivable_account_id.id, 'balance': delta,
                                    'name': _("Interest accrued")}),
                    Command.create({'account_id': product.interest_income_account_id.id, 'balance': -delta,
                                    'name': _("Interest accrued")}),
                ]})
            move.action_post()

    # ------------------------------------------------------------------
    # External API (JSON-RPC, docs/api.md): with the caller's rights and companies
    # ------------------------------------------------------------------

    @api.model
    def sacco_loan_list(self, member_number, states=None):
        """A member's loans with their schedule and repayments."""
        if states is not None and (not isinstance(states, list) or
                                   not set(states) <= set(dict(const.LOAN_STATES))):
            raise UserError(_("States are a list among %s.", ", ".join(dict(const.LOAN_STATES))))
        member = self.env['ddcpts.sacco.member']._sacco_api_member(member_number)
        domain = [('member_id', '=', member.id)] + ([('state', 'in', states)] if states else [])
        return [loan._loan_api_data() for loan in self.search(domain, order='id')]

    def _loan_api_data(self):
        self.ensure_one()
        date = fields.Date.to_string
        return dict(
            self._loan_webhook_data(), id=self.id, amount_requested=self.amount_requested,
            installments=self.installments, annual_rate=self.annual_rate, interest_method=self.interest_method,
            frequency=self.frequency, next_due_date=date(self.next_due_date) if self.next_due_date else None,
            principal_outstanding=self.principal_outstanding, interest_outstanding=self.interest_outstanding,
            penalty_outstanding=self.penalty_outstanding,
            schedule=[{'number': line.number, 'due_date': date(line.due_date), 'principal': line.principal,
                       'interest': line.interest, 'penalty': line.penalty, 'fee': line.fee, 'paid': line.total_paid,
                       'outstanding': line.outstanding, 'state': line.state} for line in self.line_ids],
            transactions=[{'date': date(tx.date), 'type': tx.type, 'channel': tx.channel, 'amount': tx.amount,
                           'principal': tx.principal, 'interest': tx.interest, 'penalty': tx.penalty, 'fee': tx.fee,
                           'overpayment': tx.overpayment, 'reference': tx.reference}
                          for tx in self.transaction_ids.sorted(lambda tx: (tx.date, tx.id))])

    @api.model
    def sacco_loan_apply(self, member_number, product_code, amount, installments=None, guarantors=None,
                         purpose=None):
        """Submit an application for a member: checked like one keyed in by an officer (limit, bounds),
        approved at once when the product approves self-service applications and the member is eligible;
        ``guarantors`` are ``[{'member': 'M0043', 'amount': 30000}]``, asked by SMS."""
        member = self.env['ddcpts.sacco.member']._sacco_api_member(member_number)
        if not isinstance(product_code, str):
            raise UserError(_("Give the code of the loan product."))
        product = self.env['ddcpts.sacco.loan.product'].search(
            [('code', '=', product_code.strip().upper()), ('company_id', '=', member.company_id.id)], limit=1)
        if not product:
            raise UserError(_("There is no loan product %s.", product_code))
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount <= 0:
            raise UserError(_("The amount must be a positive number."))
        if installments is not None and (isinstance(installments, bool) or not isinstance(installments, int)):
            raise UserError(_("The term is a whole number of installments."))
        if purpose is not None and (not isinstance(purpose, str) or len(purpose) > 256):
            raise UserError(_("The purpose is a text of at most 256 characters."))
        pledges = []
        for guarantor in guarantors or []:
            if not isinstance(guarantor, dict) or set(guarantor) != {'member', 'amount'} \
                    or not isinstance(guarantor['amount'], (int, float)) or isinstance(guarantor['amount'], bool):
                raise UserError(_("Each guarantor is {'member': 'M0043', 'amount': 30000}."))
            pledges.append(Command.create({
                'member_id': self.env['ddcpts.sacco.member']._sacco_api_member(guarantor['member']).id,
                'amount': guarantor['amount']}))
        loan = self.create({'member_id': member.id, 'product_id': product.id, 'amount_requested': amount,
                            'installments': installments or product.installments_default, 'purpose': purpose,
                            'company_id': member.company_id.id, 'guarantor_ids': pledges})
        loan.action_submit()
        loan._loan_auto_approve()
        return loan._loan_api_data()

    @api.model
    def sacco_loan_repay_push(self, loan_number, amount, phone=None):
        """Ask the borrower's phone (or ``phone``) to pay ``amount`` to an active loan by mobile money;
        the repayment is booked when the provider confirms the payment."""
        try:
            values = const.REPAY_PUSH_SCHEMA.validate({'loan': loan_number, 'amount': amount, 'phone': phone})
        except schema.SchemaError as error:
            raise UserError(_("Invalid repayment request: %s", error)) from error
        loan = self.search([('name', '=', values['loan'])], limit=1)
        if not loan:
            raise UserError(_("There is no loan %s.", values['loan']))
        loan._loan_check_state(('active',), _("be repaid by a payment request"))
        amount = float(values['amount'])
        if loan.currency_id.compare_amounts(amount, loan.total_outstanding) > 0:
            raise UserError(_("%(amount)s is more than the %(outstanding)s %(loan)s owes.",
                              amount=loan.currency_id.format(amount),
                              outstanding=loan.currency_id.format(loan.total_outstanding), loan=loan.name))
        phone = values['phone'] or loan.member_id.phone
        if not phone:
            raise UserError(_("%s has no phone number: give the phone to send the request to.",
                              loan.member_id.display_name))
        # the officer's rights were checked on the loan; providers and transactions are the system's
        tx = self.env['payment.transaction'].sudo()._ddcpts_request_push(loan, loan.partner_id, amount, phone,
                                                                         loan.name)
        loan.message_post(body=_("Payment request of %(amount)s sent to %(phone)s (%(reference)s).",
                                 amount=loan.currency_id.format(amount), phone=phone, reference=tx.reference))
        return {'loan': loan.name, 'amount': amount, 'reference': tx.reference, 'state': tx.state}
