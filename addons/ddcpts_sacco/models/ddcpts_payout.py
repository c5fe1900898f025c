from odoo import _, api, models
from odoo.exceptions import UserError

SACCO_ORIGINS = ('ddcpts.sacco.account', 'ddcpts.sacco.susu.group', 'ddcpts.sacco.interest.line')


class DdcptsPayout(models.Model):
    """Withdrawals, exit refunds, susu pots and year-end amounts paid out leave through payouts (maker-checker
    approval) whose origin is the member account, the susu group or the year-end line: when the payout is
    done, that account is debited (a year-end line credited the receivable already) and the recipient's
    receivable, debited by the outbound payment, is reconciled."""
    _inherit = 'ddcpts.payout'

    @api.model
    def _selection_origin(self):
        return super()._selection_origin() + [('ddcpts.sacco.account', "SACCO Account"),
                                              ('ddcpts.sacco.susu.group', "Susu Group"),
                                              ('ddcpts.sacco.interest.line', "SACCO Year-end Line")]

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
        origin = self.origin
        if not origin or origin._name not in SACCO_ORIGINS:
            return
        payment = self.payment_id
        receivable_account = payment.destination_account_id
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == receivable_account and not line.reconciled)
        if not receivable:
            raise UserError(_("The payment of %s has nothing left to apply.", self.name))
        amount = sum(receivable.mapped('balance'))
        if origin._name == 'ddcpts.sacco.interest.line':
            owed = origin.move_id.line_ids.filtered(
                lambda line: line.account_id == receivable_account and line.partner_id == self.partner_id
                and not line.reconciled)
            (receivable | owed).reconcile()
            return
        ref = _("%(origin)s payout %(payout)s", origin=origin.name, payout=self.name)
        if origin._name == 'ddcpts.sacco.account':
            move = origin._sacco_post(-amount, receivable_account, allow_closed=True, ref=ref)
        else:
            recipient = origin.slot_ids.filtered(lambda slot: slot.payout_id == self).member_id
            move = recipient._sacco_post_entry(origin.account_id, receivable_account, -amount, ref=ref)
        (receivable | move.line_ids.filtered(lambda line: line.account_id == receivable_account)).reconcile()
        if origin._name == 'ddcpts.sacco.account':
            origin.member_id._sacco_complete_exit()
        else:
            origin._susu_complete()
