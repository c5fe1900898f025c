from odoo import api, models


class PaymentTransaction(models.Model):
    """Mobile-money repayments: a paybill reference such as LN0007 designates a loan."""
    _inherit = 'payment.transaction'

    @api.model
    def _selection_ddcpts_origin(self):
        return super()._selection_ddcpts_origin() + [('ddcpts.sacco.loan', "SACCO Loan")]

    @api.model
    def _ddcpts_match_reference(self, reference, company, msisdn=None):
        loan = self.env['ddcpts.sacco.loan']._loan_find_by_reference(reference, company)
        if loan:
            return {'partner_id': loan.partner_id.id, 'ddcpts_origin': f'{loan._name},{loan.id}'}
        return super()._ddcpts_match_reference(reference, company, msisdn=msisdn)

    def _ddcpts_post_process_origin(self):
        super()._ddcpts_post_process_origin()
        if self.ddcpts_origin and self.ddcpts_origin._name == 'ddcpts.sacco.loan' and self.payment_id:
            self.ddcpts_origin._loan_repay_from_transaction(self)
