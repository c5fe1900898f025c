from odoo import _, api, models
from odoo.exceptions import UserError


class DdcptsPayout(models.Model):
    """Withdrawals and exit refunds leave through payouts (maker-checker approval) whose origin is the
    member account: when the payout is done, the account is debited and the member's receivable,
    credited by the outbound payment, is reconciled."""
    _inherit = 'ddcpts.payout'

    @api.model
    def _selection_origin(self):
        return super()._selection_origin() + [('ddcpts.sacco.account', "SACCO Account")]

    def _sacco_account(self):
        self.ensure_one()
        origin = self.origin
        return origin if origin and origin._name == 'ddcpts.sacco.account' else self.env['ddcpts.sacco.account']

    def action_submit(self):
        self._sacco_check_withdrawals()
        return super().action_submit()

    def action_approve(self):
        self._sacco_check_withdrawals()
        return super().action_approve()

    def _sacco_check_withdrawals(self):
        """The free balance is checked again when the payout moves on: other money may have left meanwhile."""
        for payout in self:
            account = payout._sacco_account()
            if account:
                account._sacco_check_withdrawable(payout._amount_in_company_currency(), exclude=payout)

    def _ddcpts_apply_to_origin(self):
        super()._ddcpts_apply_to_origin()
        account = self._sacco_account()
        if not account:
            return
        payment = self.payment_id
        receivable_account = payment.destination_account_id
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == receivable_account and not line.reconciled)
        if not receivable:
            raise UserError(_("The payment of %s has nothing left to apply to the member account.", self.name))
        move = account._sacco_post(-sum(receivable.mapped('balance')), receivable_account, allow_closed=True,
                                   ref=_("%(account)s withdrawal %(payout)s", account=account.name,
                                         payout=self.name))
        (receivable | move.line_ids.filtered(lambda line: line.account_id == receivable_account)).reconcile()
        account.member_id._sacco_complete_exit()
