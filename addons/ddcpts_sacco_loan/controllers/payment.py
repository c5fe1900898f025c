from odoo import _, http
from odoo.exceptions import ValidationError
from odoo.http import request

from odoo.addons.ddcpts_sacco.controllers.payment import SaccoPaymentPortal
from odoo.addons.ddcpts_sacco_loan.controllers.portal import SaccoLoanPortal


class SaccoLoanPaymentPortal(SaccoPaymentPortal):
    """Borrowers repay an active loan from the portal with any enabled provider, as members pay in.

    The transaction carries the loan as ``ddcpts_origin`` and its number as reference; the loan's
    post-processing books the repayment once the provider confirms it.
    """

    @staticmethod
    def _loan_own_active(loan_id):
        """The logged-in member's active loan ``loan_id`` (empty for anyone else's, or one not active)."""
        return request.env['ddcpts.sacco.loan'].search([
            ('id', '=', loan_id), ('partner_id', '=', request.env.user.partner_id.id), ('state', '=', 'active'),
        ], limit=1)

    @http.route('/my/sacco/loans/<int:loan_id>/repay', type='http', auth='user', methods=['GET'], website=True)
    def portal_my_sacco_loan_repay(self, loan_id, amount=None, **kwargs):
        """Choose the amount (the arrears, else the next installment, is suggested), then pay it with a provider
        of the SACCO."""
        loan = self._loan_own_active(loan_id)
        if not loan:
            return request.redirect('/my/sacco/loans')
        currency = loan.currency_id
        amount = self._cast_as_float(amount)
        amount = currency.round(amount) if amount and amount > 0 else 0.0
        next_installment = SaccoLoanPortal._loan_next_installments(loan)[loan]
        values = self._prepare_portal_layout_values()
        values.update(page_name='sacco_loan_repay', loan=loan, amount=amount, currency=currency,
                      suggested=loan.arrears_amount or next_installment.outstanding)
        if amount:
            values.update(self._sacco_payment_form_values(loan, amount, f'/my/sacco/loans/{loan.id}/repay/transaction',
                                                          landing_route=f'/my/sacco/loans/{loan.id}'))
        return request.render('ddcpts_sacco_loan.portal_my_sacco_loan_repay', values)

    @http.route('/my/sacco/loans/<int:loan_id>/repay/transaction', type='json', auth='user')
    def portal_my_sacco_loan_repay_transaction(self, loan_id, amount, access_token, **kwargs):
        """Create the transaction of a repayment of the member's own active loan; return its processing values."""
        loan = self._loan_own_active(loan_id)
        if not loan:
            raise ValidationError(_("You can only repay your own active loans."))
        return self._sacco_create_transaction(loan, amount, access_token, **kwargs)
