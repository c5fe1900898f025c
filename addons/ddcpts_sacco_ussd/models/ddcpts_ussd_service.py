import logging

from odoo import _, api, models
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
            ussd.Option(_("Change PIN"), self._ddcpts_ussd_pin_menu()),
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
        if not self.env['payment.transaction']._ddcpts_push_provider(origin.company_id):
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
