"""An external system asks a customer's MTN MoMo wallet to pay an invoice over JSON-RPC (docs/api.md)."""
from jsonrpc_client import JsonRpcClient, JsonRpcError

from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_momo.tests.common import PAYER, MomoHttpCommon


@tagged('post_install', '-at_install')
class TestJsonRpcMomo(MomoHttpCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_user = new_test_user(cls.env, 'momo_erp_bot',
                                         groups='base.group_user,account.group_account_invoice')
        cls.plain_user = new_test_user(cls.env, 'momo_intern', groups='base.group_user')
        # sudo: persistent keys, as an administrator would issue for system accounts
        cls.billing_key = cls.env['res.users.apikeys'].with_user(cls.billing_user).sudo()._generate(None, 'ERP', None)
        cls.plain_key = cls.env['res.users.apikeys'].with_user(cls.plain_user).sudo()._generate(None, 'App', None)

    def client(self, login, key):
        return JsonRpcClient(self.base_url(), self.env.cr.dbname, login, key)

    def test_request_a_momo_payment_of_an_invoice(self):
        invoice = self.create_invoice(180)
        erp = self.client('momo_erp_bot', self.billing_key)
        started = erp.execute('account.move', 'ddcpts_momo_request_payment', [invoice.id], phone=PAYER, amount="80")
        self.assertEqual({key: started[key] for key in ('state', 'amount', 'currency', 'phone')},
                         {'state': 'pending', 'amount': 80.0, 'currency': 'EUR', 'phone': PAYER})
        self.assertEqual(self.sent_requests()[0]['headers']['X-Reference-Id'], started['reference_id'])
        self.assertEqual(self.sent_requests()[0]['json']['amount'], '80.00')

        self.poll(self.env['payment.transaction'].browse(started['transaction_id']))  # the polling cron
        [tx] = erp.execute('payment.transaction', 'read', [started['transaction_id']],
                           fields=['state', 'momo_financial_transaction_id', 'reference'])
        self.assertEqual((tx['state'], tx['reference']), ('done', started['reference']))
        self.assertTrue(tx['momo_financial_transaction_id'])

    def test_errors_are_sentences_and_rights_are_checked(self):
        invoice = self.create_invoice(50)
        erp = self.client('momo_erp_bot', self.billing_key)
        with self.assertRaisesRegex(JsonRpcError, "request at most that amount"):
            erp.execute('account.move', 'ddcpts_momo_request_payment', [invoice.id], amount=60)
        with self.assertRaisesRegex(JsonRpcError, "must be a number, not 'fifty'"):
            erp.execute('account.move', 'ddcpts_momo_request_payment', [invoice.id], amount='fifty')
        intern = self.client('momo_intern', self.plain_key)
        with self.assertRaises(JsonRpcError):
            intern.execute('account.move', 'ddcpts_momo_request_payment', [invoice.id])
