"""A SACCO loan end to end on M-Pesa: applied for, guaranteed, approved, disbursed by B2C and repaid on
the paybill with the loan number as account number (LN0007), over real HTTP through the simulator."""
from jsonrpc_client import JsonRpcClient, JsonRpcError

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

    def test_repayment_push_over_jsonrpc_is_booked_by_the_stk_callback(self):
        loan = self.env['ddcpts.sacco.loan'].with_user(self.officer).create({
            'member_id': self.borrower.id, 'product_id': self.product.id, 'amount_requested': 20000,
            'installments': 12, 'disbursement_method': 'cash', 'disbursement_journal_id': self.cash_journal.id,
            'guarantor_ids': [Command.create({'member_id': self.guarantor.id, 'amount': 20000})]}).sudo()
        loan.with_user(self.officer).action_submit()
        loan.guarantor_ids.action_accept()
        key = self.env['res.users.apikeys'].with_user(self.officer).sudo()._generate(None, 'ERP', None)
        erp = JsonRpcClient(self.base_url(), self.env.cr.dbname, self.officer.login, key)
        Loan = 'ddcpts.sacco.loan'
        self.env.flush_all()  # the client's requests read the database, not this test's cache
        with self.assertRaisesRegex(JsonRpcError, r"is submitted: cannot be repaid by a payment request"):
            erp.execute(Loan, 'sacco_loan_repay_push', loan.name, 1500)
        loan.with_user(self.officer).action_appraise()
        loan.with_user(self.manager).action_approve()
        loan.with_user(self.officer).action_disburse()
        self.assertEqual(loan.state, 'active')
        self.env.flush_all()

        for args, error in (
            ((loan.name + '\x00', 1500), r"loan: contains a NUL"),
            ((loan.name, '1500'), r"amount: must be an amount, not a string"),
            ((loan.name, 0), r"amount: is out of range"),
            ((loan.name, 1500, ['0708374149']), r"phone: must be a string"),
            ((loan.name, 1500, '0708\x00374149'), r"phone: contains a NUL"),
            ((loan.name, loan.total_outstanding + 1), rf"is more than the .* {loan.name} owes"),
            (('LN999999', 1500), r"There is no loan LN999999"),
        ):
            with self.assertRaisesRegex(JsonRpcError, error):
                erp.execute(Loan, 'sacco_loan_repay_push', *args)
        self.assertFalse(self.sandbox_requests('/mpesa/stkpush/v1/processrequest'), "nothing sent for bad input")

        result = erp.execute(Loan, 'sacco_loan_repay_push', loan.name.lower(), 1500)
        self.env.invalidate_all()
        self.assertEqual((result['loan'], result['amount'], result['state']), (loan.name, 1500, 'pending'))
        [request] = self.sandbox_requests('/mpesa/stkpush/v1/processrequest')
        self.assertEqual({key: request['json'][key] for key in ('Amount', 'PhoneNumber', 'AccountReference')},
                         {'Amount': 1500, 'PhoneNumber': '254708374149', 'AccountReference': loan.name})
        tx = self.env['payment.transaction'].search([('reference', '=', result['reference'])])
        self.assertRecordValues(tx, [{'ddcpts_origin': loan, 'amount': 1500, 'partner_id': loan.partner_id.id}])
        self.assertFalse(loan.transaction_ids.filtered(lambda t: t.type == 'repayment'), "not before the callback")
        self.deliver_callbacks(1)  # the STK result reaches Odoo over HTTP
        self.assertEqual(tx.state, 'done')
        self.post_process(tx)
        repayment = loan.transaction_ids.filtered(lambda t: t.type == 'repayment')
        self.assertRecordValues(repayment, [{'amount': 1500, 'channel': 'mobile', 'payment_transaction_id': tx.id,
                                             'interest': 0, 'principal': 1500}])
        self.assertEqual(loan.principal_outstanding, 18500)
        self.assertTrue(repayment.move_id, "booked in the ledger")
