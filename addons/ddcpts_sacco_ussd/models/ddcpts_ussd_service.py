import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_sacco_ussd import const
from odoo.addons.ddcpts_ussd.tools import menu as ussd

_logger = logging.getLogger(__name__)


class DdcptsUssdService(models.Model):
    """The SACCO member menu: every branch but the PIN screen is for members and behind their PIN.

    Money comes in through ``payment.transaction._ddcpts_request_push`` of ddcpts_base, so the menu
    works with whichever mobile-money provider of the company can push a request to a phone.
    """
    _inherit = 'ddcpts.ussd.service'

    @api.model
    def _ddcpts_ussd_root_menus(self):
        return {**super()._ddcpts_ussd_root_menus(), 'sacco': (_("SACCO member menu"), self._sacco_ussd_menu)}

    @api.model
    def _sacco_ussd_menu(self, ctx):
        return ussd.Menu(lambda c: _("Welcome to %s", ussd.plain(c.company.name)[:60]), self._sacco_ussd_options())

    @api.model
    def _sacco_ussd_options(self):
        """The options of the root menu, in order (other addons insert theirs, e.g. loans)."""
        return [
            ussd.Option(_("Balances"), self._sacco_ussd_members_only(ussd.Message(self._sacco_ussd_balances_text))),
            ussd.Option(_("Mini statement"),
                        self._sacco_ussd_members_only(ussd.Message(self._sacco_ussd_mini_statement_text))),
            ussd.Option(_("Deposit"), self._sacco_ussd_members_only(ussd.Dynamic(self._sacco_ussd_deposit_menu))),
            ussd.Option(_("Loans"), self._sacco_ussd_members_only(self._sacco_ussd_loan_menu())),
            ussd.Option(_("Guarantee requests"),
                        self._sacco_ussd_members_only(ussd.Dynamic(self._sacco_ussd_guarantee_menu))),
            ussd.Option(_("My PIN"), self._ddcpts_ussd_pin_menu()),
        ]

    # ------------------------------------------------------------------
    # Who is calling
    # ------------------------------------------------------------------

    @api.model
    def _sacco_ussd_member(self, ctx):
        """The caller's membership in the service's company (active or dormant), found once per request."""
        if not hasattr(ctx, 'sacco_member'):
            member = self.env['ddcpts.sacco.member']
            if ctx.partner:
                member = member.sudo().search([
                    ('partner_id', '=', ctx.partner.id), ('company_id', '=', ctx.company.id),
                    ('state', 'in', ('active', 'dormant')),
                ], limit=1)
            ctx.sacco_member = member
        return ctx.sacco_member

    @api.model
    def _sacco_ussd_members_only(self, node):
        """``node`` for members, behind their PIN; other callers read why they cannot go further."""
        def build(ctx):
            if not self._sacco_ussd_member(ctx):
                return ussd.Message(self._sacco_ussd_not_member_text)
            return self._ddcpts_ussd_pin_gate(node).resolve(ctx)
        return ussd.Dynamic(build)

    @api.model
    def _sacco_ussd_not_member_text(self, ctx):
        return _("This number is not the number of a member of %s.", ussd.plain(ctx.company.name)[:60])

    # ------------------------------------------------------------------
    # Screens
    # ------------------------------------------------------------------

    @api.model
    def _sacco_ussd_money(self, ctx, amount):
        return f"{ctx.company.currency_id.name} {amount:,.2f}"

    @api.model
    def _sacco_ussd_fit(self, title, lines):
        """``title`` and as many whole ``lines`` as fit a USSD screen."""
        text = title
        for line in lines:
            if len(text) + 1 + len(line) > ussd.MAX_SCREEN_CHARS:
                break
            text = f"{text}\n{line}"
        return text

    @api.model
    def _sacco_ussd_accounts(self, ctx):
        return self._sacco_ussd_member(ctx).account_ids.sorted(lambda account: (account.product_id.sequence,
                                                                                 account.id))

    @api.model
    def _sacco_ussd_balances_text(self, ctx):
        return self._sacco_ussd_fit(_("Your balances"), self._sacco_ussd_balance_lines(ctx))

    @api.model
    def _sacco_ussd_balance_lines(self, ctx):
        """One line per account (loans add theirs)."""
        return [f"{ussd.plain(account.product_id.name)[:20]}: {self._sacco_ussd_money(ctx, account.balance)}"
                for account in self._sacco_ussd_accounts(ctx)]

    @api.model
    def _sacco_ussd_mini_statement_text(self, ctx):
        """The last movements on all the member's accounts, newest first."""
        member = self._sacco_ussd_member(ctx)
        accounts = member.account_ids
        items = self.env['account.move.line'].sudo().search(
            accounts._sacco_move_line_domain(), order='date desc, id desc', limit=const.MINI_STATEMENT_LINES)
        if not items:
            return _("No movement on your accounts yet.")
        codes = {account.account_id: account.product_id.code for account in accounts}
        lines = [f"{item.date:%d/%m/%y} {ussd.plain(codes.get(item.account_id, ''))[:5]} {-item.balance:+,.2f}"
                 for item in items]
        return self._sacco_ussd_fit(_("Last movements (%s)", ctx.company.currency_id.name), lines)

    # Mobile-money push ------------------------------------------------------

    @api.model
    def _sacco_ussd_deposit_menu(self, ctx):
        accounts = self._sacco_ussd_accounts(ctx)
        if not accounts:
            return ussd.Message(_("You have no account to deposit to yet."))
        return ussd.Menu(_("Deposit to"), [
            ussd.Option(f"{ussd.plain(account.product_id.name)[:24]} {account.name}",
                        self._sacco_ussd_push_prompt(account, account.name, _("Amount to deposit")))
            for account in accounts
        ])

    @api.model
    def _sacco_ussd_push_prompt(self, origin, reference, text, maximum=const.PUSH_MAXIMUM):
        """Ask an amount, then ask the caller's phone to pay it to ``origin`` (a member account, a loan)."""
        if not self.env['payment.provider']._ddcpts_mobile_provider(None, origin.company_id):
            return ussd.Message(_("Pay to our paybill with account number %s.", reference))
        maximum = max(int(maximum), const.PUSH_MINIMUM)
        return ussd.Prompt(f"{text} ({origin.company_id.currency_id.name})",
                           ussd.amount(minimum=const.PUSH_MINIMUM, maximum=maximum),
                           lambda ctx, amount: ussd.Action(self._sacco_ussd_push, origin=origin, amount=amount,
                                                           reference=reference))

    @api.model
    def _sacco_ussd_push(self, ctx, origin, amount, reference):
        """Action: the payment request to the caller's phone; the money is applied when it is confirmed."""
        try:
            with self.env.cr.savepoint():
                self.env['payment.transaction']._ddcpts_request_push(
                    origin, self._sacco_ussd_member(ctx).partner_id, float(amount), ctx.phone, reference)
        except UserError as error:
            _logger.info("USSD session %s: payment request for %s not sent: %s", ctx.session.id, reference, error)
            return _("The payment request could not be sent. Pay to our paybill with account number %s.", reference)
        return _("Approve the payment of %(amount)s for %(reference)s on your phone.",
                 amount=self._sacco_ussd_money(ctx, amount), reference=reference)

    # ------------------------------------------------------------------
    # Loans (ddcpts_sacco_loan)
    # ------------------------------------------------------------------

    @api.model
    def _sacco_ussd_loan_menu(self):
        return ussd.Menu(_("Loans"), [
            ussd.Option(_("My loans"), ussd.Message(self._sacco_ussd_loans_text)),
            ussd.Option(_("Loan limit"), ussd.Message(self._sacco_ussd_limits_text)),
            ussd.Option(_("Apply for a loan"), ussd.Dynamic(self._sacco_ussd_apply_menu)),
            ussd.Option(_("Repay a loan"), ussd.Dynamic(self._sacco_ussd_repay_menu)),
        ])

    @api.model
    def _sacco_ussd_loans(self, ctx, states=('submitted', 'appraisal', 'approved', 'active')):
        return self.env['ddcpts.sacco.loan'].sudo().search([
            ('member_id', '=', self._sacco_ussd_member(ctx).id), ('state', 'in', states)], order='id')

    @api.model
    def _sacco_ussd_loans_text(self, ctx):
        loans = self._sacco_ussd_loans(ctx)
        if not loans:
            return _("You have no loan.")
        states = dict(self.env['ddcpts.sacco.loan']._fields['state']._description_selection(self.env))
        lines = []
        for loan in loans:
            if loan.state == 'active':
                lines.append(_("%(loan)s owes %(amount)s, next due %(date)s", loan=loan.name,
                               amount=self._sacco_ussd_money(ctx, loan.total_outstanding),
                               date=loan.next_due_date and f"{loan.next_due_date:%d/%m/%y}" or "-"))
            else:
                lines.append(f"{loan.name} {ussd.plain(states[loan.state])}: "
                             f"{self._sacco_ussd_money(ctx, loan.amount_requested)}")
        return self._sacco_ussd_fit(_("Your loans"), lines)

    @api.model
    def _sacco_ussd_products(self, ctx):
        return self.env['ddcpts.sacco.loan.product'].sudo().search([('company_id', '=', ctx.company.id)])

    @api.model
    def _sacco_ussd_limit(self, ctx, product):
        """What the caller may still borrow with ``product`` today (loan engine's limit, product bounds)."""
        draft = self.env['ddcpts.sacco.loan'].sudo().new({
            'member_id': self._sacco_ussd_member(ctx).id, 'product_id': product.id, 'company_id': ctx.company.id})
        available = float(draft._loan_limit().available)
        return min(available, product.amount_max) if product.amount_max else available

    @api.model
    def _sacco_ussd_limits_text(self, ctx):
        products = self._sacco_ussd_products(ctx)
        if not products:
            return _("No loan product is offered yet.")
        return self._sacco_ussd_fit(_("You may borrow"), [
            f"{ussd.plain(product.name)[:24]}: {self._sacco_ussd_money(ctx, self._sacco_ussd_limit(ctx, product))}"
            for product in products])

    @api.model
    def _sacco_ussd_apply_menu(self, ctx):
        products = self._sacco_ussd_products(ctx)
        if not products:
            return ussd.Message(_("No loan product is offered yet."))
        return ussd.Menu(_("Choose a loan"), [
            ussd.Option(ussd.plain(product.name)[:40], ussd.Dynamic(
                lambda c, product=product: self._sacco_ussd_amount_prompt(c, product)))
            for product in products])

    @api.model
    def _sacco_ussd_amount_prompt(self, ctx, product):
        limit = int(self._sacco_ussd_limit(ctx, product))
        minimum = int(-(-product.amount_min // 1)) or 1
        if limit < minimum:
            return ussd.Message(_("Your limit for %(product)s is %(limit)s, below its minimum of %(minimum)s.",
                                  product=ussd.plain(product.name)[:40], limit=self._sacco_ussd_money(ctx, limit),
                                  minimum=self._sacco_ussd_money(ctx, minimum)))
        return ussd.Prompt(_("Amount (%(minimum)s to %(limit)s)", minimum=minimum, limit=limit),
                           ussd.amount(minimum=minimum, maximum=limit),
                           lambda c, amount: self._sacco_ussd_term_prompt(c, product, amount))

    @api.model
    def _sacco_ussd_term_prompt(self, ctx, product, amount):
        if product.installments_min == product.installments_max:
            return self._sacco_ussd_confirm_apply(ctx, product, amount, product.installments_min)
        return ussd.Prompt(_("Number of installments (%(min)s to %(max)s)", min=product.installments_min,
                             max=product.installments_max),
                           ussd.amount(minimum=product.installments_min, maximum=product.installments_max),
                           lambda c, term: self._sacco_ussd_confirm_apply(c, product, amount, int(term)))

    @api.model
    def _sacco_ussd_confirm_apply(self, ctx, product, amount, installments):
        frequency = dict(self.env['ddcpts.sacco.loan.product']._fields['frequency']._description_selection(
            self.env))[product.frequency]
        title = _("Borrow %(amount)s, %(product)s, %(rate)s%% a year, %(term)s installments (%(frequency)s)?",
                  amount=self._sacco_ussd_money(ctx, amount), product=ussd.plain(product.name)[:30],
                  rate=f"{product.annual_rate:g}", term=installments, frequency=ussd.plain(frequency).lower())
        return ussd.Menu(title, [ussd.Option(_("Confirm"), ussd.Action(
            self._sacco_ussd_apply, product=product, amount=amount, installments=installments))])

    @api.model
    def _sacco_ussd_apply(self, ctx, product, amount, installments):
        """Action: the application, submitted at once; approved without an officer only when the product
        allows it and the member is eligible (limit, cover, bounds)."""
        member = self._sacco_ussd_member(ctx)
        try:
            with self.env.cr.savepoint():
                loan = self.env['ddcpts.sacco.loan'].sudo().create({
                    'member_id': member.id, 'product_id': product.id, 'company_id': ctx.company.id,
                    'amount_requested': float(amount), 'installments': installments, 'disbursement_method': 'mobile',
                    'purpose': _("Applied for by USSD"), 'user_id': product.self_service_user_id.id,
                })
                loan.action_submit()
                approved = loan._loan_auto_approve()
        except UserError as error:
            return self._sacco_ussd_fit(_("Your application was not accepted:"), [ussd.plain(error.args[0])[:140]])
        if approved:
            return _("Loan %(loan)s of %(amount)s is approved. The money will be sent to your phone.",
                     loan=loan.name, amount=self._sacco_ussd_money(ctx, amount))
        return _("Application %(loan)s for %(amount)s received. We will send you an SMS when it is decided.",
                 loan=loan.name, amount=self._sacco_ussd_money(ctx, amount))

    @api.model
    def _sacco_ussd_repay_menu(self, ctx):
        loans = self._sacco_ussd_loans(ctx, states=('active',))
        if not loans:
            return ussd.Message(_("You have no loan to repay."))
        today = fields.Date.context_today(self)
        return ussd.Menu(_("Repay"), [
            ussd.Option(f"{loan.name} {self._sacco_ussd_money(ctx, loan.total_outstanding)}",
                        self._sacco_ussd_push_prompt(loan, loan.name, _("Amount to repay"),
                                                     maximum=loan._loan_payoff(today) + 1))
            for loan in loans])

    # Guarantees -------------------------------------------------------------

    @api.model
    def _sacco_ussd_guarantee_menu(self, ctx):
        pledges = self.env['ddcpts.sacco.loan.guarantor'].sudo().search([
            ('member_id', '=', self._sacco_ussd_member(ctx).id), ('state', '=', 'requested'),
            ('loan_id.state', 'in', ('draft', 'submitted', 'appraisal')),
        ], order='id')
        if not pledges:
            return ussd.Message(_("Nobody asked you to guarantee a loan."))
        return ussd.Menu(_("Guarantee requests"), [
            ussd.Option(f"{ussd.plain(pledge.borrower_id.name)[:20]} {self._sacco_ussd_money(ctx, pledge.amount)}",
                        self._sacco_ussd_guarantee_answer_menu(ctx, pledge))
            for pledge in pledges])

    @api.model
    def _sacco_ussd_guarantee_answer_menu(self, ctx, pledge):
        title = _("Guarantee %(amount)s of loan %(loan)s of %(borrower)s (%(total)s)?",
                  amount=self._sacco_ussd_money(ctx, pledge.amount), loan=pledge.loan_id.name,
                  borrower=ussd.plain(pledge.borrower_id.name)[:30],
                  total=self._sacco_ussd_money(ctx, pledge.loan_id.amount_requested))
        return ussd.Menu(title, [
            ussd.Option(_("Accept"), ussd.Action(self._sacco_ussd_answer_guarantee, pledge=pledge, accept=True)),
            ussd.Option(_("Decline"), ussd.Action(self._sacco_ussd_answer_guarantee, pledge=pledge, accept=False)),
        ])

    @api.model
    def _sacco_ussd_answer_guarantee(self, ctx, pledge, accept):
        try:
            with self.env.cr.savepoint():
                pledge.message_post(body=_("Answered by USSD from %s.", ctx.phone))
                if accept:
                    pledge.action_accept()
                else:
                    pledge.action_decline()
        except UserError as error:
            return self._sacco_ussd_fit(_("Your answer was not recorded:"), [ussd.plain(error.args[0])[:140]])
        if accept:
            return _("You guarantee %(amount)s of loan %(loan)s. Thank you.",
                     amount=self._sacco_ussd_money(ctx, pledge.amount), loan=pledge.loan_id.name)
        return _("You declined to guarantee loan %s.", pledge.loan_id.name)
