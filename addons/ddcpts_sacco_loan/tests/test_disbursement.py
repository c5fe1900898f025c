from datetime import date

from odoo.exceptions import UserError
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

    def test_undo_disbursal(self):
        loan = self.disbursed(100000)
        self.Loan._cron_loan_daily(date(2026, 2, 14))
        entry = loan.transaction_ids.move_id
        loan.action_undo_disbursal()
        self.assertRecordValues(loan, [{'state': 'approved', 'disbursed_on': False, 'interest_accrued': 0}])
        self.assertTrue(loan.transaction_ids.reversed)
        self.assertEqual(entry.reversal_move_ids.state, 'posted')
        portfolio = self.env['account.move.line'].search([('account_id', 'in', (self.gl_portfolio
                                                                                 | self.gl_interest_receivable).ids),
                                                          ('parent_state', '=', 'posted')])
        self.assertAlmostEqual(sum(portfolio.mapped('balance')), 0, places=2, msg="nothing owed any more")
        loan.with_user(self.officer).action_disburse(date=DISBURSED)
        self.repay(loan, 1000, DISBURSED)
        with self.assertRefused(UserError, "has repayments .* can no longer be undone"):
            loan.action_undo_disbursal()

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

    def test_top_up_clears_the_old_loan(self):
        self.product.write({'topup_allowed': True, 'topup_min_paid_percent': 10, 'max_active_loans': 1})
        old = self.disbursed(100000)
        self.repay(old, 8884.88, date(2026, 2, 28))
        new = self.application(110000, guarantors=[(self.member_with_deposits(70000), 70000)],
                               topup_of_id=old.id)
        self.assertIn("is 7.9 % repaid; a top-up needs 10.0 %", "\n".join(new._loan_eligibility()))
        self.repay(old, 8884.88, date(2026, 3, 31))
        new.with_user(self.officer).action_submit()
        new.guarantor_ids.action_accept()
        new.with_user(self.officer).action_appraise()
        new.with_user(self.manager).action_approve()
        payoff = old._loan_payoff(date(2026, 4, 10))
        new.with_user(self.officer).action_disburse(date=date(2026, 4, 10))
        self.assertRecordValues(old, [{'state': 'closed', 'total_outstanding': 0}])
        self.assertEqual(old.transaction_ids.filtered(lambda t: t.channel == 'topup').amount, payoff)
        self.assertRecordValues(new, [{'state': 'active', 'principal': 110000}])
        self.assertAlmostEqual(new.net_disbursed, 110000 - 2200 - payoff, places=2)
