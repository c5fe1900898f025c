from odoo.tests import new_test_user, tagged

from .common import DISBURSED, LoanCase


@tagged('post_install', '-at_install')
class TestLoanDisbursement(LoanCase):

    def entry_lines(self, move):
        return sorted((line.account_id.code, line.balance, line.partner_id.id) for line in move.line_ids)

    def test_cash_disbursement_books_receivable_fee_and_insurance(self):
        endpoint = self.env['ddcpts.webhook.endpoint'].create({
            'name': "Core banking", 'url': 'https://example.com/hooks',
            'event_ids': [(6, 0, self.env['ddcpts.webhook.event'].search([('code', 'like', 'loan.')]).ids)]})
        loan = self.disbursed(100000)
        partner = self.borrower.partner_id.id
        self.assertRecordValues(loan, [{'state': 'active', 'disbursed_on': DISBURSED, 'principal': 100000,
                                        'net_disbursed': 98000, 'principal_outstanding': 100000}])
        disbursement = loan.transaction_ids
        self.assertEqual(disbursement.type, 'disbursement')
        self.assertEqual(self.entry_lines(disbursement.move_id), sorted([
            (self.gl_portfolio.code, 100000.0, partner), (self.gl_cash.code, -98000.0, partner),
            (self.gl_loan_fees.code, -1000.0, partner), (self.gl_insurance.code, -1000.0, partner)]))
        self.assertEqual(loan.line_ids[0].due_date.isoformat(), '2026-02-28', "scheduled from the disbursement")
        self.assertEqual(loan.line_ids[0].date_from, DISBURSED)
        self.assertEqual(loan.line_ids[-1].due_date.isoformat(), '2027-01-31')
        self.assertAlmostEqual(loan.line_ids[0].principal + loan.line_ids[0].interest, 8884.88, places=2)
        delivery = self.env['ddcpts.webhook.delivery'].search([('endpoint_id', '=', endpoint.id)])
        self.assertEqual(delivery.event, 'loan.disbursed')
        self.assertTrue(self.env['sms.sms'].search([('partner_id', '=', partner), ('body', 'like', 'was sent to you')]))

    def test_capitalised_charges_are_added_to_the_principal(self):
        self.product.write({'fee_mode': 'capitalised', 'insurance_mode': 'capitalised'})
        loan = self.disbursed(100000, guarantors=[(self.member_with_deposits(70000), 70000)])
        self.assertRecordValues(loan, [{'principal': 102000, 'net_disbursed': 100000,
                                        'principal_outstanding': 102000}])
        self.assertAlmostEqual(sum(loan.line_ids.mapped('principal')), 102000, places=2)

    def test_mobile_money_disbursement_waits_for_the_payout(self):
        approver = new_test_user(self.env, 'loan_payout_approver', ddcpts_payout_limit=500000,
                                 groups='base.group_user,ddcpts_base.group_ddcpts_payout_approver',
                                 company_id=self.company.id, company_ids=[self.company.id])
        loan = self.approved(100000, disbursement_method='mobile', disbursement_journal_id=self.bank_journal.id)
        loan.with_user(self.officer).action_disburse()
        payout = loan.payout_id
        self.assertRecordValues(payout, [{'state': 'to_approve', 'amount': 98000, 'origin': loan,
                                          'partner_id': self.borrower.partner_id.id}])
        self.assertEqual(loan.state, 'approved', "active only once the money left")
        payout.with_user(approver).action_approve()
        self.env['ddcpts.payout']._cron_send_approved()  # the manual channel: marked sent, paid by hand
        payout.provider_reference = 'BANK-TRF-001'
        payout.action_confirm_manual_payment()
        self.assertEqual(payout.state, 'done')
        self.assertRecordValues(loan, [{'state': 'active', 'principal_outstanding': 100000}])
        receivable = payout.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id == payout.payment_id.destination_account_id)
        self.assertTrue(receivable.reconciled, "the payout's receivable is cleared by the disbursement entry")
