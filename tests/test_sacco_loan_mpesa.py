"""A SACCO loan end to end on M-Pesa: applied for, guaranteed, approved, disbursed by B2C and repaid on
the paybill with the loan number as account number (LN0007), over real HTTP through the simulator."""
from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_mpesa.tests.common import MpesaHttpCommon
from odoo.addons.ddcpts_sacco_loan.tests.common import LoanSetupMixin


@tagged('post_install', '-at_install')
class TestSaccoLoanOnMpesa(LoanSetupMixin, MpesaHttpCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loan_mobile_money_setup(cls.env.company, codes=('LSH', 'LDP', 'LSV'), loan_code='MPL')
        groups = 'ddcpts_sacco.group_sacco_officer'
        cls.officer = new_test_user(cls.env, 'mpesa_loan_officer', groups=groups, email=False)
        cls.manager = new_test_user(cls.env, 'mpesa_loan_manager', groups='ddcpts_sacco.group_sacco_manager')
        cls.approver = new_test_user(cls.env, 'mpesa_loan_payouts', ddcpts_payout_limit=100000,
                                     groups='base.group_user,ddcpts_base.group_ddcpts_payout_approver')

    def confirm(self, trans_id, amount, bill_ref):
        """A C2B confirmation posted to the paybill's route over HTTP, then the post-processing cron."""
        response = self.post_callback('c2b-confirmation', self.c2b_payment(trans_id, amount, bill_ref))
        self.assertEqual(response.json(), {'ResultCode': 0, 'ResultDesc': 'Success'})
        return self.post_process(self.env['payment.transaction'].search([('mpesa_receipt', '=', trans_id)]))

    def test_apply_guarantee_approve_disburse_by_b2c_repay_on_the_paybill(self):
        loan = self.env['ddcpts.sacco.loan'].with_user(self.officer).create({
            'member_id': self.borrower.id, 'product_id': self.product.id, 'amount_requested': 50000,
            'installments': 12, 'disbursement_method': 'mobile', 'payout_channel': 'mpesa',
            'disbursement_journal_id': self.journal.id,
            'guarantor_ids': [Command.create({'member_id': self.guarantor.id, 'amount': 30000})]})
        loan.action_submit()
        loan.guarantor_ids.action_accept()
        loan.action_appraise()
        loan.with_user(self.manager).action_approve()
        loan.action_disburse()
        payout = loan.sudo().payout_id
        self.assertRecordValues(payout, [{'state': 'to_approve', 'amount': 49000, 'channel': 'mpesa'}])
        payout.with_user(self.approver).action_approve()
        self.env['ddcpts.payout']._cron_send_approved()
        self.assertEqual(payout.state, 'sent')
        [request] = self.sandbox_requests('/mpesa/b2c/v3/paymentrequest')
        self.assertEqual((request['json']['Amount'], request['json']['PartyB']), (49000, '254708374149'))
        self.deliver_callbacks(1)  # the B2C result reaches Odoo over HTTP
        loan = loan.sudo()
        self.assertEqual(payout.state, 'done')
        self.assertRecordValues(loan, [{'state': 'active', 'principal_outstanding': 50000}])
        self.assertEqual(loan.guarantor_ids.amount_locked, 30000)

        # repaid on the paybill with the loan number (typed in lower case with a space: still the loan)
        tx = self.confirm('SLN1000001', '10000.00', loan.name.lower().replace('ln', 'ln '))
        self.assertRecordValues(tx, [{'ddcpts_origin': loan, 'ddcpts_needs_review': False}])
        self.assertRecordValues(loan.transaction_ids.filtered(lambda t: t.type == 'repayment'), [{
            'amount': 10000, 'principal': 10000, 'channel': 'mobile', 'reference': 'SLN1000001'}])
        self.assertEqual(loan.principal_outstanding, 40000)
        self.assertEqual(loan.guarantor_ids.amount_locked, 24000, "released in proportion")
        receivable = tx.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id == tx.payment_id.destination_account_id)
        self.assertTrue(receivable.reconciled)
        self.post_process(tx)  # the cron may see it twice: booked once
        self.assertEqual(len(loan.transaction_ids), 2)

        payoff = loan._loan_payoff(tx.payment_id.date)
        self.confirm('SLN1000002', f'{payoff:.2f}', loan.name)
        self.assertRecordValues(loan, [{'state': 'closed', 'total_outstanding': 0}])
        self.assertEqual(loan.guarantor_ids.state, 'released')
        # paid again once closed: the member's savings
        tx = self.confirm('SLN1000003', '700.00', loan.name)
        self.assertFalse(tx.ddcpts_needs_review)
        savings = self.borrower._sacco_account(self.savings)
        savings.invalidate_recordset(['balance'])
        self.assertEqual(savings.balance, 700)
        for product, (ledger, members) in (self.deposits | self.savings)._sacco_reconciliation().items():
            self.assertAlmostEqual(ledger, members, places=2, msg=product.name)
