from odoo import models


class DdcptsSaccoAccount(models.Model):
    """Deposits pledged for a loan cannot leave: they are taken off the free balance (exit refund)."""
    _inherit = 'ddcpts.sacco.account'

    def _sacco_free_balance(self, exclude=None):
        free = super()._sacco_free_balance(exclude=exclude)
        if self.kind != 'deposit':
            return free
        return free - self.member_id._loan_pledged()[self.member_id]
