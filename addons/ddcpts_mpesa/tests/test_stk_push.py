import base64
import re
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ddcpts_mpesa.tests.common import CUSTOMER_MSISDN, PASSKEY, SHORTCODE, MpesaHttpCommon


@tagged('post_install', '-at_install')
class TestStkPush(MpesaHttpCommon):
    """Odoo asks the customer's phone for a payment (STK push) and books the answer."""

    def _push(self, amount=1500, phone='0708 374 149', invoice=None):
        invoice = invoice or self.create_invoice(amount)
        tx = invoice._mpesa_request_payment(phone=phone)
        self.env.flush_all()  # what the commit of the request does before the callback comes
        return invoice, tx

    def test_request_sends_the_documented_stk_push_and_the_callback_pays_the_invoice(self):
        invoice, tx = self._push(1500)
        self.assertRecordValues(tx, [{'state': 'pending', 'amount': 1500, 'mpesa_phone': CUSTOMER_MSISDN}])
        [request] = self.sandbox_requests('/mpesa/stkpush/v1/processrequest')
        sent = request['json']
        self.assertRegex(sent['Timestamp'], r'^\d{14}$')
        self.assertEqual(base64.b64decode(sent['Password']).decode(), f"{SHORTCODE}{PASSKEY}{sent['Timestamp']}")
        self.assertEqual({key: sent[key] for key in ('BusinessShortCode', 'TransactionType', 'Amount', 'PartyA',
                                                      'PartyB', 'PhoneNumber')},
                         {'BusinessShortCode': SHORTCODE, 'TransactionType': 'CustomerPayBillOnline', 'Amount': 1500,
                          'PartyA': CUSTOMER_MSISDN, 'PartyB': SHORTCODE, 'PhoneNumber': CUSTOMER_MSISDN})
        self.assertIsInstance(sent['Amount'], int, "M-Pesa takes whole numbers")
        self.assertEqual(sent['AccountReference'], re.sub(r'[^A-Z0-9]', '', invoice.name.upper())[-12:])
        self.assertLessEqual(len(sent['TransactionDesc']), 13)
        self.assertRegex(sent['CallBackURL'], r'/ddcpts/daraja/%d/[0-9a-f]{64}/stk$' % self.provider.id)
        self.assertEqual([tx.mpesa_checkout_request_id], list(self.sandbox('GET', 'state')['daraja']['stk']))

        self.deliver_callbacks(1)
        self.assertEqual(tx.state, 'done')
        self.assertRegex(tx.mpesa_receipt, r'^[A-Z][A-Z0-9]{9}$')
        self.assertEqual(tx.provider_reference, tx.mpesa_receipt)
        self.post_process(tx)
        self.assertEqual(tx.payment_id.amount, 1500)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))

    def test_partial_amount_and_any_kenyan_number_format(self):
        invoice = self.create_invoice(1000)
        for phone in ('+254 708 374 149', '254708374149', '0708-374-149', '708374149'):
            with self.subTest(phone=phone):
                tx = invoice._mpesa_request_payment(phone=phone, amount=400)
                self.assertEqual((tx.amount, tx.mpesa_phone), (400, CUSTOMER_MSISDN))
        with self.assertRaisesRegex(UserError, "at most"):
            invoice._mpesa_request_payment(amount=1000.01)
        with self.assertRaisesRegex(UserError, "not a mobile number"):
            invoice._mpesa_request_payment(phone='020 123 4567')
        with self.assertRaisesRegex(UserError, "Kenyan"):
            invoice._mpesa_request_payment(phone='+233 24 412 3456')

    def test_cents_are_rounded_up_or_refused_by_setting(self):
        invoice = self.create_invoice(100.40)
        tx = invoice._mpesa_request_payment()
        self.assertEqual(tx.amount, 101, "what M-Pesa takes is what is booked")
        self.assertEqual(self.sandbox_requests('/mpesa/stkpush/')[-1]['json']['Amount'], 101)
        self.provider.mpesa_cents_policy = 'refuse'
        with self.assertRaisesRegex(UserError, "whole shillings"):
            invoice._mpesa_request_payment()

    def test_amount_limits(self):
        with self.assertRaisesRegex(UserError, "between KES 1 and KES 250,000"):
            self._push(250001)
        invoice = self.create_invoice(300000)
        with self.assertRaisesRegex(UserError, "between KES 1 and KES 250,000"):
            invoice._mpesa_request_payment()
        invoice._mpesa_request_payment(amount=250000)
        self.assertEqual(self.sandbox_requests('/mpesa/stkpush/')[-1]['json']['Amount'], 250000)

    def test_only_posted_kes_customer_invoices_are_requested(self):
        draft = self.create_invoice(100, post=False)
        with self.assertRaisesRegex(UserError, "posted customer invoices in KES"):
            draft._mpesa_request_payment()
        usd = self.create_invoice(100, post=False)
        usd.currency_id = self.env.ref('base.USD')
        usd.action_post()
        with self.assertRaisesRegex(UserError, "posted customer invoices in KES"):
            usd.action_mpesa_request_payment()

    def test_till_pays_with_buy_goods_to_the_till_number(self):
        self.provider.write({'mpesa_account_type': 'till', 'mpesa_till_number': '5678901'})
        self._push(200)
        sent = self.sandbox_requests('/mpesa/stkpush/')[-1]['json']
        self.assertEqual((sent['TransactionType'], sent['PartyB'], sent['BusinessShortCode']),
                         ('CustomerBuyGoodsOnline', '5678901', SHORTCODE))

    def test_refusal_is_a_clear_error_and_nothing_is_pending(self):
        self.sandbox_rule(path='/mpesa/stkpush/', status=400,
                          body={'requestId': '1', 'errorCode': '400.002.02',
                                'errorMessage': 'Bad Request - Invalid PhoneNumber'})
        invoice = self.create_invoice(100)
        with self.assertRaisesRegex(UserError, "Invalid PhoneNumber"):
            invoice._mpesa_request_payment()
        self.sandbox_rule(path='/mpesa/stkpush/', status=500,
                          body={'requestId': '2', 'errorCode': '500.001.1001',
                                'errorMessage': 'Unable to lock subscriber, a transaction is already in process'})
        with self.assertRaisesRegex(UserError, "wait a minute"):
            invoice._mpesa_request_payment()
        self.assertFalse(self.env['payment.transaction'].search([('invoice_ids', 'in', invoice.ids),
                                                                 ('state', '=', 'pending')]))

    def test_rejected_token_is_renewed_once(self):
        self.sandbox_rule(path='/mpesa/stkpush/', status=404, times=1,
                          body={'requestId': '', 'errorCode': '404.001.03', 'errorMessage': 'Invalid Access Token'})
        _invoice, tx = self._push(100)
        self.assertEqual(tx.state, 'pending')
        self.assertEqual(len(self.sandbox_requests('/oauth/v1/generate')), 2)
        self.assertEqual(len(self.sandbox_requests('/mpesa/stkpush/')), 2)

    def test_token_renewed_meanwhile_by_another_worker_is_used_not_renewed_again(self):
        """A new Daraja token may revoke the previous one: renewing the token another worker just cached
        would make that worker's calls fail in turn."""
        self.sandbox_rule(path='/mpesa/stkpush/', status=404, times=1,
                          body={'requestId': '', 'errorCode': '404.001.03', 'errorMessage': 'Invalid Access Token'})
        provider_class = type(self.provider)
        send = provider_class._ddcpts_request
        renewed = []

        def request_while_another_worker_renews(provider, method, url, **kwargs):
            response = send(provider, method, url, **kwargs)
            if '/stkpush/' in url and not renewed:
                provider._ddcpts_invalidate_token()
                renewed.append(provider._ddcpts_bearer_token(provider._mpesa_fetch_token))
            return response

        with patch.object(provider_class, '_ddcpts_request', request_while_another_worker_renews):
            _invoice, tx = self._push(100)
        self.assertEqual(tx.state, 'pending')
        self.assertEqual(len(self.sandbox_requests('/oauth/v1/generate')), 2, "the first token and the other worker's")
        pushes = self.sandbox_requests('/mpesa/stkpush/')
        self.assertEqual(pushes[-1]['headers']['Authorization'], f'Bearer {renewed[0]}')

    def test_token_is_cached_and_expires_in_as_string_is_understood(self):
        self._push(100)
        self._push(200)
        tokens = self.sandbox_requests('/oauth/v1/generate')
        self.assertEqual(len(tokens), 1)
        self.assertEqual(tokens[0]['query'], {'grant_type': 'client_credentials'})
        self.assertTrue(tokens[0]['headers'].get('Authorization', '').startswith('Basic '))

    def test_backend_wizard_requests_the_payment(self):
        invoice = self.create_invoice(700)
        action = invoice.action_mpesa_request_payment()
        wizard = self.env[action['res_model']].with_context(action['context']).create({})
        self.assertEqual((wizard.phone, wizard.amount), ('0708 374 149', 700))
        wizard.amount = 300
        result = wizard.action_send()
        self.assertEqual(result['params']['next'], {'type': 'ir.actions.act_window_close'})
        tx = invoice.transaction_ids
        self.assertRecordValues(tx, [{'state': 'pending', 'amount': 300}])

    def test_health_check_fetches_a_token(self):
        other = self.env['payment.provider'].create({'name': "Some card provider", 'state': 'test'})
        checked = self.env['payment.provider']._ddcpts_health_check_records()
        self.assertIn(self.provider, checked)
        self.assertNotIn(other, checked, "only providers of DDCPTS integrations are checked")
        self.assertEqual(self.provider._ddcpts_run_health_check(), (True, "The connection works."))
        self.sandbox_rule(path='/oauth/v1/generate', status=400,
                          body={'errorCode': '400.008.01', 'errorMessage': 'Invalid Authentication passed'})
        success, message = self.provider._ddcpts_run_health_check()
        self.assertFalse(success)
        self.assertIn("Invalid Authentication passed", message)

    def test_editing_one_credential_keeps_the_others_and_the_callback_urls(self):
        url = self.provider._mpesa_callback_url('stk')
        self.env.invalidate_all()
        self.provider.write({'mpesa_passkey': 'rotated-passkey'})
        self.env.invalidate_all()
        self.assertEqual(self.provider._ddcpts_secret('mpesa_passkey'), 'rotated-passkey')
        self.assertEqual(self.provider._ddcpts_secret('mpesa_consumer_secret'), 'test-consumer-secret')
        self.assertTrue(self.provider._ddcpts_secret('mpesa_initiator_password'))
        self.assertEqual(self.provider._mpesa_callback_url('stk'), url, "the URLs given to Safaricom stay valid")
