"""An external system asks a customer's phone to pay an invoice over JSON-RPC (ddcpts_mpesa, docs/api.md)."""
from jsonrpc_client import JsonRpcClient, JsonRpcError

from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_mpesa.tests.common import MpesaHttpCommon


@tagged('post_install', '-at_install')
class TestJsonRpcMpesa(MpesaHttpCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_user = new_test_user(cls.env, 'mpesa_erp_bot',
                                         groups='base.group_user,account.group_account_invoice')
        cls.plain_user = new_test_user(cls.env, 'mpesa_intern', groups='base.group_user')
        # sudo: persistent keys, as an administrator would issue for system accounts
        cls.billing_key = cls.env['res.users.apikeys'].with_user(cls.billing_user).sudo()._generate(None, 'ERP', None)
        cls.plain_key = cls.env['res.users.apikeys'].with_user(cls.plain_user).sudo()._generate(None, 'App', None)

    def client(self, login, key):
        return JsonRpcClient(self.base_url(), self.env.cr.dbname, login, key)

    def test_request_an_mpesa_payment_of_an_invoice(self):
        invoice = self.create_invoice(1800)
        erp = self.client('mpesa_erp_bot', self.billing_key)
        started = erp.execute('account.move', 'ddcpts_mpesa_request_payment', [invoice.id], phone='0708 374 149',
                              amount=800)
        self.assertEqual({key: started[key] for key in ('state', 'amount', 'phone')},
                         {'state': 'pending', 'amount': 800.0, 'phone': '254708374149'})
        self.assertTrue(started['checkout_request_id'].startswith('ws_CO_'))
        self.assertEqual(self.sandbox_requests('/mpesa/stkpush/')[0]['json']['Amount'], 800)

        self.deliver_callbacks(1)
        [tx] = erp.execute('payment.transaction', 'read', [started['transaction_id']],
                           fields=['state', 'mpesa_receipt', 'reference'])
        self.assertEqual((tx['state'], tx['reference']), ('done', started['reference']))
        self.assertTrue(tx['mpesa_receipt'])

        self.post_process(self.env['payment.transaction'].browse(tx['id']))  # the post-processing cron
        rest = erp.execute('account.move', 'ddcpts_mpesa_request_payment', [invoice.id])
        self.assertEqual((rest['amount'], rest['phone']), (1000.0, '254708374149'),
                         "by default the amount due, on the customer's mobile")

    def test_errors_are_sentences_and_rights_are_checked(self):
        invoice = self.create_invoice(500)
        erp = self.client('mpesa_erp_bot', self.billing_key)
        with self.assertRaisesRegex(JsonRpcError, "request at most that amount"):
            erp.execute('account.move', 'ddcpts_mpesa_request_payment', [invoice.id], amount=600)
        with self.assertRaisesRegex(JsonRpcError, "not a mobile number of KE"):
            erp.execute('account.move', 'ddcpts_mpesa_request_payment', [invoice.id], phone='020 123 4567')
        with self.assertRaisesRegex(JsonRpcError, "Enter a positive amount"):
            erp.execute('account.move', 'ddcpts_mpesa_request_payment', [invoice.id], amount=-5)
        with self.assertRaisesRegex(JsonRpcError, "must be a number, not 'five hundred'"):
            erp.execute('account.move', 'ddcpts_mpesa_request_payment', [invoice.id], amount='five hundred')
        intern = self.client('mpesa_intern', self.plain_key)
        with self.assertRaises(JsonRpcError):
            intern.execute('account.move', 'ddcpts_mpesa_request_payment', [invoice.id])
        self.assertFalse(self.sandbox_requests('/mpesa/stkpush/'), "nothing was sent")

    def test_amount_and_phone_sent_as_strings_or_numbers(self):
        invoice = self.create_invoice(900)
        erp = self.client('mpesa_erp_bot', self.billing_key)
        started = erp.execute('account.move', 'ddcpts_mpesa_request_payment', [invoice.id], phone=254708374149,
                              amount="400.00")
        self.assertEqual((started['state'], started['amount'], started['phone']), ('pending', 400.0, '254708374149'))
        self.assertEqual(self.sandbox_requests('/mpesa/stkpush/')[0]['json']['Amount'], 400)
