from odoo import api, models


class DdcptsPayout(models.Model):
    """Loans are disbursed to mobile money through payouts whose origin is the loan."""
    _inherit = 'ddcpts.payout'

    @api.model
    def _selection_origin(self):
        return super()._selection_origin() + [('ddcpts.sacco.loan', "SACCO Loan")]

    def _ddcpts_apply_to_origin(self):
        super()._ddcpts_apply_to_origin()
        if self.origin and self.origin._name == 'ddcpts.sacco.loan':
            self.origin._loan_disbursed_by_payout(self)
