from odoo import Command, _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.ddcpts_sacco.tools import loan_schedule as ls
from odoo.addons.ddcpts_sacco_loan import const


class DdcptsSaccoLoanProduct(models.Model):
    """A loan product (Fineract "loan product"): every parameter a SACCO's credit policy sets for one
    kind of loan, from the interest method to the guarantor rules and the general-ledger accounts.

    Schedules are computed by ``ddcpts_sacco/tools/loan_schedule.py`` from these parameters
    (``_loan_terms``); docs/sacco-loans.md explains each rule.
    """
    _name = 'ddcpts.sacco.loan.product'
    _inherit = ['ddcpts.sacco.code.mixin']
    _description = "SACCO Loan Product"
    _order = 'sequence, id'
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="What members name the product by (USSD, JSON-RPC), e.g. DEV.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related='company_id.currency_id')

    # interest and schedule
    interest_method = fields.Selection(const.INTEREST_METHODS, required=True, default=ls.DECLINING_EMI)
    annual_rate = fields.Float("Annual Interest Rate (%)", digits=(6, 4), required=True, default=12.0)
    daily_interest = fields.Boolean(help="Interest on the actual days of each period (365-day year) instead of "
                                         "the annual rate divided by the periods in a year.")
    frequency = fields.Selection(const.FREQUENCIES, required=True, default=ls.MONTHLY)
    installments_default = fields.Integer("Default Term", default=12, required=True)
    installments_min = fields.Integer("Minimum Term", default=1, required=True)
    installments_max = fields.Integer("Maximum Term", default=60, required=True)
    amount_min = fields.Monetary("Minimum Amount", default=1000)
    amount_max = fields.Monetary("Maximum Amount", help="Zero: no maximum other than the loan limit.")
    grace_principal = fields.Integer("Grace on Principal", help="First installments that pay interest only.")
    grace_interest_payment = fields.Integer("Grace on Interest Payment",
                                            help="First installments whose interest is deferred to the next one.")
    grace_interest_charged = fields.Integer("Interest-free Grace", help="First periods that bear no interest.")
    prepayment_mode = fields.Selection(const.PREPAYMENT_MODES, required=True, default=ls.REDUCE_TERM,
                                       help="What an early repayment of part of the principal shortens.")
    self_service_user_id = fields.Many2one(
        'res.users', "Officer for Self-service Applications", domain="[('share', '=', False)]",
        help="Loan officer of the applications members make themselves by USSD. Empty: they wait, "
             "unassigned, in the to-do queue of every loan officer of the company until one takes them.")
    working_day_rule = fields.Selection(
        [('holidays', "Holidays"), ('sunday', "Sundays and Holidays"), ('weekend', "Weekends and Holidays")],
        string="Move Due Dates Off",
        help="An installment falling on such a day (holidays: SACCO → Configuration → Holidays) falls due on "
             "the next working day instead; its amounts stay those of the schedule. Empty: due dates never move.")
    accrual_accounting = fields.Boolean(default=True,
                                        help="Interest is booked as income day by day and penalties when they "
                                             "are charged (daily job); otherwise both when they are paid.")

    # loan limit
    deposit_multiple = fields.Float(default=3.0, digits=(4, 2), help="Loan limit = free deposits × this multiple.")
    deposit_product_ids = fields.Many2many('ddcpts.sacco.product', string="Deposits Counted", check_company=True,
                                           domain="[('kind', '=', 'deposit')]",
                                           help="Products whose balance backs loans; empty: every deposit product.")
    seasoning_months = fields.Integer("Deposits Count After (Months)",
                                      help="A deposit counts towards the limit once it is this many months old.")
    boost_days = fields.Integer("Boosting Window (Days)",
                                help="Lump sums paid in these last days to inflate the limit do not count.")
    boost_factor = fields.Float(default=2.0, digits=(4, 2),
                                help="A deposit larger than this × the member's regular deposit is a lump sum.")
    membership_months = fields.Integer("Minimum Membership (Months)")
    max_active_loans = fields.Integer("Active Loans of this Product per Member", default=1)

    # charges
    fee_type = fields.Selection(const.CHARGE_TYPES, "Processing Fee", default='percent', required=True)
    fee_value = fields.Float("Processing Fee Value", digits=(12, 4))
    fee_mode = fields.Selection(const.CHARGE_MODES, "Processing Fee Paid", default='deducted', required=True)
    insurance_percent = fields.Float("Insurance (% of Principal)", digits=(6, 4))
    insurance_mode = fields.Selection(const.CHARGE_MODES, "Insurance Paid", default='deducted', required=True)

    # penalties and arrears
    penalty_type = fields.Selection(const.PENALTY_TYPES, default='percent', required=True)
    penalty_value = fields.Float(digits=(12, 4), help="Charged once per repayment period an installment stays overdue.")
    arrears_tolerance_days = fields.Integer(
        help="Days after a due date before the installment counts as overdue and bears penalties.")
    arrears_tolerance_amount = fields.Monetary(help="An unpaid remainder up to this amount is not treated as arrears.")
    allocation_order = fields.Selection(const.ALLOCATION_ORDERS, default=const.ALLOCATION_ORDERS[0][0], required=True,
                                        help="Which part of what is due a repayment pays first.")

    # top-up
    topup_allowed = fields.Boolean("Top-up Allowed")
    topup_min_paid_percent = fields.Float("Top-up After Repaying (%)", digits=(5, 2))
    topup_min_months = fields.Integer("Top-up After (Months)")
    topup_fee_percent = fields.Float("Top-up Fee (% of the Cleared Balance)", digits=(6, 4))

    # guarantors
    guarantor_cover_percent = fields.Float("Required Cover (%)", default=100.0, digits=(6, 2),
                                           help="Borrower's free deposits plus pledges must cover this share of "
                                                "the loan.")
    guarantor_min_count = fields.Integer("Minimum Guarantors")
    guarantor_max_active = fields.Integer("Guarantees per Guarantor", default=5,
                                          help="Active guarantees a member may hold at the same time.")
    guarantor_exclude_employer_ids = fields.Many2many(
        'res.partner', string="Employers Excluded as Guarantors",
        help="Members employed by these (the SACCO's staff, the board) cannot guarantee loans.")

    # approval
    approval_level_ids = fields.One2many('ddcpts.sacco.loan.approval.level', 'product_id', "Approval Levels")
    auto_approval = fields.Boolean(help="Self-service applications within the member's limit and fully covered "
                                        "are approved without an officer.")

    # accounting
    journal_id = fields.Many2one('account.journal', "Loan Journal", required=True, check_company=True,
                                 domain="[('type', '=', 'general')]")
    receivable_account_id = fields.Many2one('account.account', "Loan Portfolio Account", required=True,
                                            check_company=True, help="Principal owed by borrowers, per member.")
    interest_receivable_account_id = fields.Many2one('account.account', "Interest Receivable Account",
                                                     check_company=True, help="Interest accrued and not yet paid.")
    interest_income_account_id = fields.Many2one('account.account', "Interest Income Account", required=True,
                                                 check_company=True)
    fee_income_account_id = fields.Many2one('account.account', "Fee Income Account", required=True,
                                            check_company=True)
    penalty_income_account_id = fields.Many2one('account.account', "Penalty Income Account", required=True,
                                                check_company=True)
    penalty_receivable_account_id = fields.Many2one(
        'account.account', "Penalty Receivable Account", check_company=True,
        help="Penalties charged and not yet paid (accrual accounting). Empty: the interest receivable account.")
    insurance_account_id = fields.Many2one('account.account', "Insurance Payable Account", check_company=True,
                                           help="Loan protection premiums owed to the insurer.")
    write_off_account_id = fields.Many2one('account.account', "Write-off Expense Account", check_company=True)
    overpayment_product_id = fields.Many2one('ddcpts.sacco.product', "Overpayments To", check_company=True,
                                             domain="[('kind', '=', 'savings')]",
                                             help="Member account credited with what is paid beyond the loan; "
                                                  "empty: the payment goes to the review queue.")

    loan_count = fields.Integer(compute='_compute_loan_count')

    _sql_constraints = [
        ('code_company_uniq', 'unique(code, company_id)', "Each loan product needs its own code."),
    ]

    def _compute_loan_count(self):
        counts = dict(self.env['ddcpts.sacco.loan']._read_group(
            [('product_id', 'in', self.ids)], ['product_id'], ['__count']))
        for product in self:
            product.loan_count = counts.get(product, 0)

    @api.constrains('installments_min', 'installments_max', 'installments_default', 'amount_min', 'amount_max',
                    'grace_principal', 'grace_interest_payment', 'grace_interest_charged', 'annual_rate',
                    'deposit_multiple', 'guarantor_cover_percent')
    def _check_bounds(self):
        for product in self:
            if not 1 <= product.installments_min <= product.installments_default <= product.installments_max:
                raise ValidationError(_("%s: the default term must lie between the minimum and the maximum term, "
                                        "and the minimum term must be at least 1.", product.name))
            if product.amount_min < 0 or (product.amount_max and product.amount_max < product.amount_min):
                raise ValidationError(_("%s: the maximum amount must be at least the minimum amount.", product.name))
            grace = max(product.grace_principal, product.grace_interest_payment, product.grace_interest_charged)
            if min(product.grace_principal, product.grace_interest_payment, product.grace_interest_charged) < 0 \
                    or grace >= product.installments_min:
                raise ValidationError(_("%s: grace periods must be shorter than the minimum term.", product.name))
            if product.annual_rate < 0 or product.deposit_multiple < 0 or product.guarantor_cover_percent < 0:
                raise ValidationError(_("%s: rates, multiples and cover cannot be negative.", product.name))

    def _loan_penalty_receivable(self):
        """Where accrual accounting books the penalties charged: empty when the product books them when paid."""
        self.ensure_one()
        if not self.accrual_accounting:
            return self.env['account.account']
        return self.penalty_receivable_account_id or self.interest_receivable_account_id

    def _loan_post_accrual(self, receivable, income, amount, date, ref):
        """The daily job's entry of one product: ``amount`` earned (interest, penalties) to income, owed on
        ``receivable`` (a negative amount takes income back)."""
        self.ensure_one()
        if self.currency_id.is_zero(amount):
            return
        move = self.env['account.move'].sudo().with_company(self.company_id).create({
            'move_type': 'entry', 'journal_id': self.journal_id.id, 'date': date, 'ref': ref,
            'line_ids': [Command.create({'account_id': receivable.id, 'balance': amount, 'name': ref}),
                         Command.create({'account_id': income.id, 'balance': -amount, 'name': ref})]})
        move.action_post()

    def _loan_allocation_order(self):
        self.ensure_one()
        return self.allocation_order.split(',')

    def _loan_deposit_products(self):
        self.ensure_one()
        return self.deposit_product_ids or self.env['ddcpts.sacco.product'].search(
            [('kind', '=', 'deposit'), ('company_id', '=', self.company_id.id)])

    def _loan_required_level(self, amount):
        """The approval level an amount needs: the highest whose threshold it reaches (none: officers)."""
        self.ensure_one()
        levels = self.approval_level_ids.filtered(
            lambda level: self.currency_id.compare_amounts(amount, level.amount_from) >= 0)
        return levels.sorted('amount_from')[-1:] if levels else levels

    def action_view_loans(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('ddcpts_sacco_loan.ddcpts_sacco_loan_action')
        action['domain'] = [('product_id', '=', self.id)]
        return action
