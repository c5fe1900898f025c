"""A borrower repays a SACCO loan from the portal with M-Pesa through Odoo's payment form, as members pay
into their accounts: the STK push goes to the simulator, its callback confirms the transaction and the loan's
post-processing books the repayment."""
import re

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_mpesa.tests.common import CUSTOMER_MSISDN, MpesaHttpCommon
from odoo.addons.ddcpts_sacco_loan.tests.common import LoanSetupMixin


@tagged('post_install', '-at_install')
class TestSaccoLoanPortalRepayment(LoanSetupMixin, MpesaHttpCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loan_mobile_money_setup(cls.env.company, codes=('RSH', 'RDP', 'RSV'), loan_code='PRL')
        officer = new_test_user(cls.env, 'portal_loan_officer', groups='ddcpts_sacco.group_sacco_officer', email=False)
        manager = new_test_user(cls.env, 'portal_loan_manager', groups='ddcpts_sacco.group_sacco_manager')
        cls.loan = cls.env['ddcpts.sacco.loan'].with_user(officer).create({
            'member_id': cls.borrower.id, 'product_id': cls.product.id, 'amount_requested': 50000,
            'installments': 12, 'disbursement_method': 'cash', 'disbursement_journal_id': cls.cash_journal.id,
            'guarantor_ids': [Command.create({'member_id': cls.guarantor.id, 'amount': 30000})]}).with_env(cls.env)
        cls.loan.with_user(officer).action_submit()
        cls.loan.guarantor_ids.action_accept()
        cls.loan.with_user(officer).action_appraise()
        cls.loan.with_user(manager).action_approve()
        cls.loan.with_user(officer).action_disburse()
        new_test_user(cls.env, 'loan_member', groups='base.group_portal', partner_id=cls.borrower.partner_id.id)

    def setUp(self):
        super().setUp()
        self.provider._ddcpts_invalidate_token()  # the simulator forgot its tokens at reset

    def test_borrower_repays_from_the_portal_with_an_stk_push(self):
        loan = self.loan
        self.assertEqual(loan.state, 'active')
        self.authenticate('loan_member', 'loan_member')
        self.assertIn(f'href="/my/sacco/loans/{loan.id}/repay"', self.url_open(f'/my/sacco/loans/{loan.id}').text)
        page = self.url_open(f'/my/sacco/loans/{loan.id}/repay?amount=2500')
        self.assertEqual(page.status_code, 200)
        self.assertIn(f'data-provider-id="{self.provider.id}"', page.text, "enabled providers are offered")
        form = {name: re.search(rf'data-{name}="([^"]*)"', page.text).group(1)
                for name in ('transaction-route', 'access-token', 'amount', 'landing-route')}
        self.assertEqual((form['transaction-route'], float(form['amount']), form['landing-route']),
                         (f'/my/sacco/loans/{loan.id}/repay/transaction', 2500, f'/my/sacco/loans/{loan.id}'))

        # what the payment form's JavaScript posts when the member presses Pay with M-Pesa selected
        processing = self.make_jsonrpc_request(form['transaction-route'], {
            'provider_id': self.provider.id, 'payment_method_id': self.payment_method.id, 'token_id': None,
            'amount': 2500.0, 'flow': 'direct', 'tokenization_requested': False,
            'landing_route': form['landing-route'], 'is_validation': False, 'access_token': form['access-token'],
        })
        tx = self.env['payment.transaction'].search([('reference', '=', processing['reference'])])
        self.assertRecordValues(tx, [{'state': 'draft', 'amount': 2500, 'partner_id': self.borrower.partner_id.id,
                                      'currency_id': self.kes.id}])
        self.assertEqual(tx.ddcpts_origin, loan)
        self.assertEqual(tx.reference, loan.name, "the loan number is the payment's reference")

        answer = self.make_jsonrpc_request('/payment/mpesa/stk_push', {
            'reference': tx.reference, 'access_token': processing['mpesa_access_token'], 'phone': '0708 374 149'})
        self.assertEqual(answer, {'state': 'pending'})
        [push] = self.sandbox_requests('/mpesa/stkpush/v1/processrequest')
        self.assertEqual((push['json']['AccountReference'], push['json']['Amount'], push['json']['PartyA']),
                         (loan.name, 2500, CUSTOMER_MSISDN))
        self.assertFalse(loan.transaction_ids.filtered(lambda t: t.type == 'repayment'),
                         "nothing is booked before M-Pesa confirms")

        self.deliver_callbacks(1)  # the member approved on the phone
        self.assertEqual(tx.state, 'done')
        self.post_process(tx)
        [repayment] = loan.sudo().transaction_ids.filtered(lambda t: t.type == 'repayment')
        self.assertRecordValues(repayment, [{'amount': 2500, 'channel': 'mobile', 'payment_transaction_id': tx.id}])
        self.assertAlmostEqual(repayment.principal + repayment.interest + repayment.penalty + repayment.fee
                               + repayment.overpayment, 2500, places=2)
        self.assert_receivable_settled(tx)
        self.post_process(tx)  # the cron may see it twice: booked once
        self.assertEqual(len(loan.sudo().transaction_ids), 2)
        page = self.url_open(f'/my/sacco/loans/{loan.id}')
        [row] = re.findall(r'<tr class="o_sacco_loan_repayment">(.*?)</tr>', page.text, re.S)
        self.assertIn("2,500.00", row)
        self.assertIn(repayment.reference, row)
