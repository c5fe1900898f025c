"""SACCO members over USSD with M-Pesa: deposits and loan repayments are STK pushes, credited by the callback.

ddcpts_sacco_ussd knows no provider: the push goes through ``payment.transaction._ddcpts_request_push``
and M-Pesa is whatever the company enabled.
"""
from odoo.tests import tagged

from odoo.addons.ddcpts_mpesa.tests.common import MpesaHttpCommon
from odoo.addons.ddcpts_sacco_ussd.tests.common import PIN, SaccoUssdMixin
from odoo.addons.ddcpts_ussd.tests.common import CALLER, UssdCase


@tagged('post_install', '-at_install')
class TestSaccoUssdMpesa(SaccoUssdMixin, UssdCase, MpesaHttpCommon):

    @classmethod
    def setup_independent_company(cls, **kwargs):
        kes = cls.env.ref('base.KES')
        kes.active = True
        return super().setup_independent_company(currency_id=kes.id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.mobile = False  # MpesaCommon's customer: the caller's number is the member's here
        cls.sacco_ussd_setup(codes=('USH', 'UDP', 'USV'))

    def test_deposit_by_stk_push_credits_the_member_account(self):
        self.set_pin(PIN)
        account = self.member.account_ids.filtered(lambda acc: acc.product_id == self.deposits)
        screens = self.dial(['3', PIN, '2', '1500'])
        self.assertEqual(screens[3], "CON Amount to deposit (KES)\n0. Back")
        self.assertEqual(screens[4], f"END Approve the payment of KES 1,500.00 for {account.name} on your phone.")
        [request] = self.sandbox_requests('/mpesa/stkpush/v1/processrequest')
        self.assertEqual({key: request['json'][key] for key in ('Amount', 'PhoneNumber', 'AccountReference')},
                         {'Amount': 1500, 'PhoneNumber': CALLER[1:], 'AccountReference': account.name.replace('-', '')})
        tx = self.env['payment.transaction'].search([('ddcpts_origin', '=', f'ddcpts.sacco.account,{account.id}')])
        self.assertRecordValues(tx, [{'state': 'pending', 'provider_code': 'mpesa', 'amount': 1500,
                                      'partner_id': self.member.partner_id.id}])

        self.deliver_callbacks(1)
        self.assertEqual(tx.state, 'done')
        self.post_process(tx)
        account.invalidate_recordset(['balance'])
        self.assertEqual(account.balance, 1500)
        self.assertIn("Deposits: KES 1,500.00", self.dial(['1', PIN], session='ATUid_s2')[2])

    def test_apply_for_a_loan_then_repay_it_by_stk_push(self):
        self.set_pin(PIN)
        self.deposit(self.member, 10000)
        screens = self.dial(['4', PIN, '3', '1', '12000', '12', '1'])
        loan = self.env['ddcpts.sacco.loan'].search([('member_id', '=', self.member.id)])
        self.assertEqual(screens[-1], f"END Loan {loan.name} of KES 12,000.00 is approved. The money will be sent to "
                                      f"your phone.")
        loan.write({'disbursement_method': 'cash', 'disbursement_journal_id': self.cash_journal.id})
        loan.action_disburse()  # by an officer (the mobile payout of the disbursement is ddcpts_sacco_loan's)
        self.assertEqual(loan.state, 'active')

        screens = self.dial(['4', PIN, '4', '1', '1500'], session='ATUid_s2')
        self.assertEqual(screens[-1], f"END Approve the payment of KES 1,500.00 for {loan.name} on your phone.")
        [request] = self.sandbox_requests('/mpesa/stkpush/v1/processrequest')
        self.assertEqual((request['json']['AccountReference'], request['json']['Amount']), (loan.name, 1500))
        tx = self.env['payment.transaction'].search([('ddcpts_origin', '=', f'ddcpts.sacco.loan,{loan.id}')])
        self.deliver_callbacks(1)
        self.assertEqual(tx.state, 'done')
        self.post_process(tx)
        repayment = loan.transaction_ids.filtered(lambda move: move.type == 'repayment')
        self.assertRecordValues(repayment, [{'amount': 1500, 'channel': 'mobile', 'payment_transaction_id': tx.id}])
        self.assertEqual(repayment.principal + repayment.interest + repayment.penalty + repayment.fee, 1500)
        self.assertEqual(loan.principal_outstanding, loan.principal - repayment.principal)
        self.assertTrue(repayment.move_id, "booked in the ledger")

    def test_refused_push_ends_politely_and_books_nothing(self):
        self.set_pin(PIN)
        self.sandbox_rule(path='/mpesa/stkpush/', status=400,
                          body={'requestId': '1-2', 'errorCode': '400.002.02', 'errorMessage': 'Bad Request'})
        account = self.member.account_ids.filtered(lambda acc: acc.product_id == self.savings)
        screens = self.dial(['3', PIN, '3', '250'])
        self.assertEqual(screens[4], f"END The payment request could not be sent. Pay to our paybill with account "
                                     f"number {account.name}.")
        self.assertFalse(self.env['payment.transaction'].search(
            [('ddcpts_origin', '=', f'ddcpts.sacco.account,{account.id}')]))
