from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class SaccoLoanPortal(CustomerPortal):
    """Members follow their loans and answer the guarantees asked of them on the portal.

    Reads go through the portal record rules (a borrower's own loans, a guarantor's own pledges); answers
    to a guarantee are checked to be the guarantor's before the model's action runs.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        partner = request.env.user.partner_id
        if 'sacco_loan_count' in counters:
            Loan = request.env['ddcpts.sacco.loan']
            values['sacco_loan_count'] = Loan.search_count(self._loan_portal_domain()) \
                if Loan.has_access('read') else 0
        if 'sacco_guarantee_count' in counters:
            Pledge = request.env['ddcpts.sacco.loan.guarantor']
            values['sacco_guarantee_count'] = Pledge.search_count(
                [('partner_id', '=', partner.id), ('state', '=', 'requested')]) if Pledge.has_access('read') else 0
        return values

    @staticmethod
    def _loan_portal_domain():
        """The member's loans worth showing: not drafts an officer is still typing."""
        return [('partner_id', '=', request.env.user.partner_id.id), ('state', '!=', 'draft')]

    @staticmethod
    def _loan_next_installments(loans):
        """{loan: its first unpaid installment} (empty once everything is paid)."""
        return {loan: loan.line_ids.filtered(lambda line: line.state != 'paid').sorted('due_date')[:1]
                for loan in loans}

    @http.route('/my/sacco/loans', type='http', auth='user', website=True)
    def portal_my_sacco_loans(self, **kwargs):
        loans = request.env['ddcpts.sacco.loan'].search(self._loan_portal_domain())
        values = self._prepare_portal_layout_values()
        values.update(page_name='sacco_loans', loans=loans, next_installments=self._loan_next_installments(loans))
        return request.render('ddcpts_sacco_loan.portal_my_sacco_loans', values)

    @http.route('/my/sacco/loans/<int:loan_id>', type='http', auth='user', website=True)
    def portal_my_sacco_loan(self, loan_id, **kwargs):
        loan = request.env['ddcpts.sacco.loan'].search(self._loan_portal_domain() + [('id', '=', loan_id)])
        if not loan:
            raise request.not_found()
        values = self._prepare_portal_layout_values()
        values.update(page_name='sacco_loan', loan=loan, next_installment=self._loan_next_installments(loan)[loan],
                      repayments=loan.transaction_ids.filtered(lambda t: t.type == 'repayment' and not t.reversed))
        return request.render('ddcpts_sacco_loan.portal_my_sacco_loan', values)

    @http.route('/my/sacco/guarantees', type='http', auth='user', website=True)
    def portal_my_sacco_guarantees(self, answered=None, **kwargs):
        return self._loan_render_guarantees(answered=answered in ('accepted', 'declined') and answered)

    def _loan_render_guarantees(self, error=None, answered=None):
        pledges = request.env['ddcpts.sacco.loan.guarantor'].search(
            [('partner_id', '=', request.env.user.partner_id.id)], order='id desc')
        values = self._prepare_portal_layout_values()
        values.update(page_name='sacco_guarantees', pledges=pledges, error=error, answered=answered)
        return request.render('ddcpts_sacco_loan.portal_my_sacco_guarantees', values)

    @http.route('/my/sacco/guarantees/<int:pledge_id>/<any(accept,decline):answer>', type='http', auth='user',
                methods=['POST'], website=True)
    def portal_my_sacco_guarantee_answer(self, pledge_id, answer, **post):
        """The guarantor accepts or declines; accepting checks their free deposits again (the model's rule)."""
        pledge = request.env['ddcpts.sacco.loan.guarantor'].search(
            [('id', '=', pledge_id), ('partner_id', '=', request.env.user.partner_id.id)])
        if not pledge:
            raise request.not_found()
        try:
            with request.env.cr.savepoint():
                # portal users only read pledges: the action runs as the guarantor, with the rights of an officer
                pledge = pledge.sudo()
                pledge.action_accept() if answer == 'accept' else pledge.action_decline()
        except (UserError, ValidationError, AccessError, MissingError) as error:
            return self._loan_render_guarantees(error=error.args[0] if error.args else _("Please try again."))
        return request.redirect(f'/my/sacco/guarantees?answered={answer}ed')
