"""A SACCO member deposits over USSD: the menu asks M-Pesa for an STK push, the callback credits the account.

ddcpts_sacco_ussd knows no provider: the push goes through ``payment.transaction._ddcpts_request_push``
and M-Pesa is whatever the company enabled.
"""
from odoo.tests import tagged

from odoo.addons.ddcpts_mpesa.tests.common import MpesaHttpCommon
from odoo.addons.ddcpts_sacco.tests.common import SaccoSetupMixin
from odoo.addons.ddcpts_ussd.tests.common import CALLER, UssdCase

PIN = '4821'


@tagged('post_install', '-at_install')
class TestSaccoUssdDeposit(SaccoSetupMixin, UssdCase, MpesaHttpCommon):

    @classmethod
    def setup_independent_company(cls, **kwargs):
        kes = cls.env.ref('base.KES')
        kes.active = True
        return super().setup_independent_company(currency_id=kes.id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sacco_setup(cls.company, codes=('USH', 'UDP', 'USV'))
        cls.company.sacco_registration_fee = 0
        cls.service.root_menu = 'sacco'
        cls.caller.mobile = False  # ddcpts_ussd's test contact: the number is the member's here
        cls.customer.mobile = False  # MpesaCommon's customer neither
        cls.member = cls.env['ddcpts.sacco.member'].create({
            'name': "Chebet Kiprono", 'national_id': '29100001', 'kra_pin': 'A012345678Z',
            'birthdate': '1988-02-02', 'phone': CALLER})
        cls.member.action_activate()
        cls.caller = cls.member.partner_id

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
