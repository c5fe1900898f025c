"""Real Daraja payload variants (numbers vs strings, v1 hashed MSISDN, list ReferenceItem, every result code)."""
import hashlib
import json
from unittest.mock import patch

from odoo import Command
from odoo.tests import JsonRpcException, tagged
from odoo.tools import hmac

from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tests.common import (
    B2C_SUCCESS_RESULT,
    C2B_PAYMENT,
    STK_SUCCESS_CALLBACK,
    MpesaHttpCommon,
)


@tagged('post_install', '-at_install')
class TestDarajaVariants(MpesaHttpCommon):

    def _stk(self, checkout_id, amount_value, phone_value, date_value=20191219102115, tx_amount=1.0):
        tx = self.create_pending_tx(tx_amount, checkout_id)
        self.env.flush_all()
        body = json.loads(STK_SUCCESS_CALLBACK)
        stk = body['Body']['stkCallback']
        stk['CheckoutRequestID'] = checkout_id
        stk['CallbackMetadata']['Item'] = [
            {'Name': 'PhoneNumber', 'Value': phone_value},
            {'Name': 'TransactionDate', 'Value': date_value},
            {'Name': 'Balance'},
            {'Name': 'MpesaReceiptNumber', 'Value': 'R' + checkout_id[-9:].upper()},
            {'Name': 'Amount', 'Value': amount_value},
        ]
        response = self.post_callback('stk', body)
        self.assertEqual(response.status_code, 200, response.text)
        tx.invalidate_recordset()
        return tx

    def test_stk_amount_and_phone_as_numbers_or_strings(self):
        for index, (amount, phone, date) in enumerate([
            (1, 254708374149, 20191219102115), ("1.00", "254708374149", "20191219102115"),
            (1.0, 254708374149.0, 20191219102115.0), ("1", 254708374149, None),
        ]):
            with self.subTest(amount=amount, phone=phone):
                tx = self._stk(f'ws_CO_variant00000{index}', amount, phone, date)
                self.assertRecordValues(tx, [{'state': 'done', 'mpesa_phone': '254708374149',
                                              'mpesa_amount_received': 1.0, 'ddcpts_needs_review': False}])

    def test_string_amount_mismatch_goes_to_review(self):
        tx = self._stk('ws_CO_mismatch0001', "1.00", "254708374149", tx_amount=10.0)
        self.assertRecordValues(tx, [{'state': 'error', 'ddcpts_needs_review': True}])

    def test_every_documented_result_code_in_plain_words(self):
        for code in (1, 2, 3, 4, 8, 17, 1001, 1019, 1025, 1032, 1037, 2001, 2028, 8006):
            with self.subTest(code=code):
                tx = self.create_pending_tx(1.0, f'ws_CO_allcodes_{code}')
                self.env.flush_all()
                self.post_callback('stk', self.stk_callback(f'ws_CO_allcodes_{code}', code=code, desc="raw"))
                tx.invalidate_recordset()
                self.assertEqual(tx.state, 'cancel' if code == 1032 else 'error')
                self.assertEqual(tx.state_message, str(const.STK_RESULT_MESSAGES[code]))

    def test_c2b_v1_hashed_msisdn_and_numeric_amount(self):
        payment = json.loads(C2B_PAYMENT)
        payment.update(MSISDN=hashlib.sha256(b'254708374149').hexdigest(), TransAmount=5)
        response = self.post_callback('c2b-confirmation', payment)
        self.assertEqual(response.json(), {'ResultCode': 0, 'ResultDesc': 'Success'})
        tx = self.env['payment.transaction'].search([('mpesa_receipt', '=', 'RKL51ZDR4F')])
        self.assertRecordValues(tx, [{'state': 'done', 'amount': 5.0, 'ddcpts_needs_review': True}])

    def test_c2b_validation_exact_replies(self):
        self.provider.write({'mpesa_c2b_validation': True, 'mpesa_c2b_require_known_reference': True})
        self.env.flush_all()
        response = self.post_callback('c2b-validation', C2B_PAYMENT)
        self.assertEqual(response.text.replace(' ', ''), '{"ResultCode":"C2B00012","ResultDesc":"Rejected"}')
        self.provider.mpesa_c2b_require_known_reference = False
        self.env.flush_all()
        response = self.post_callback('c2b-validation', C2B_PAYMENT)
        self.assertEqual(response.text.replace(' ', ''), '{"ResultCode":"0","ResultDesc":"Accepted"}')
        response = self.post_callback('c2b-confirmation', C2B_PAYMENT)
        self.assertEqual(response.text.replace(' ', ''), '{"ResultCode":0,"ResultDesc":"Success"}')

    def test_oauth_expires_in_as_a_number(self):
        self.sandbox_rule(path='/oauth/v1/generate', result={'expires_in': 3599})
        invoice = self.create_invoice(100)
        invoice._mpesa_request_payment(amount=40)
        invoice._mpesa_request_payment(amount=60)
        self.assertEqual(len(self.sandbox_requests('/oauth/v1/generate')), 1, "the numeric lifetime is understood")
        self.assertEqual(len(self.sandbox_requests('/mpesa/stkpush/')), 2)

    def test_matching_order_invoice_then_other_addons_then_customer(self):
        invoice = self.create_invoice(400)
        invoice.payment_reference = 'SHARED-REF'
        other = self.env['res.partner'].create({'name': "Wanjiru", 'ref': 'SHARED-REF'})
        claimed = []

        def claim(tx_model, reference, company, msisdn=None):
            claimed.append(reference)
            return {'partner_id': self.customer.id} if reference in ('M0042', 'LN0009') else {}

        with patch.object(type(self.env['payment.transaction']), '_ddcpts_match_reference', claim):
            self.post_callback('c2b-confirmation', self.c2b_payment('SKM1B2C3D1', '400', 'shared-ref'))
            tx = self.env['payment.transaction'].search([('mpesa_receipt', '=', 'SKM1B2C3D1')])
            self.assertEqual((tx.invoice_ids, tx.partner_id), (invoice, self.customer), "the invoice first")
            self.post_process(tx)
            self.post_callback('c2b-confirmation', self.c2b_payment('SKM1B2C3D2', '400', 'shared-ref'))
            tx = self.env['payment.transaction'].search([('mpesa_receipt', '=', 'SKM1B2C3D2')])
            self.assertEqual((tx.invoice_ids, tx.partner_id), (self.env['account.move'], other),
                             "once the invoice is paid and no addon claims it: the customer with that reference")
            other.ref = 'M0042'
            self.post_callback('c2b-confirmation', self.c2b_payment('SKM1B2C3D3', '400', 'M0042'))
            tx = self.env['payment.transaction'].search([('mpesa_receipt', '=', 'SKM1B2C3D3')])
            self.assertRecordValues(tx, [{'partner_id': self.customer.id, 'ddcpts_needs_review': False}])
        self.assertEqual(claimed, ['shared-ref', 'M0042'], "an addon's claim comes before the customer's reference")

    def test_b2c_result_with_reference_items_as_a_list(self):
        vendor = self.env['res.partner'].create({'name': "Songok", 'mobile': '0705 912 645'})
        payout = self.env['ddcpts.payout'].create({
            'partner_id': vendor.id, 'amount': 10, 'channel': 'mpesa', 'journal_id': self.journal.id,
            'purpose': "Refund"})
        payout.sudo().write({'state': 'sent', 'idempotency_key': '53e3-4aa8-9fe0-8fb5e4092cdd3533373'})
        self.env.flush_all()
        body = json.loads(B2C_SUCCESS_RESULT)
        body['Result']['ReferenceData']['ReferenceItem'] = [
            {'Key': 'QueueTimeoutURL', 'Value': 'https://internalsandbox.safaricom.co.ke/mpesa/b2cresults/v1/submit'},
            {'Key': 'Occassion'}]
        body['Result']['ResultParameters']['ResultParameter'].append({'Key': 'ReceiverPartyPublicName2'})
        response = self.post_callback('b2c-result', body)
        self.assertEqual(response.json(), {'ResultCode': 0, 'ResultDesc': 'Accepted'})
        self.assertRecordValues(payout, [{'state': 'done', 'provider_reference': 'SG632NMUAB',
                                          'mpesa_receiver_name': "254705912645 - NICHOLAS JOHN SONGOK"}])

    def test_checkout_route_sends_the_push_once_with_the_transaction_token(self):
        invoice = self.create_invoice(300)
        tx = self.env['payment.transaction'].create({
            'provider_id': self.provider.id, 'payment_method_id': self.env.ref('payment.payment_method_mpesa').id,
            'reference': 'PORTAL-300', 'amount': 300, 'currency_id': self.kes.id, 'partner_id': self.customer.id,
            'operation': 'online_direct', 'invoice_ids': [Command.set(invoice.ids)],
        })
        token = hmac(self.env(su=True), 'generate_access_token', f'{tx.reference}|{tx.partner_id.id}')
        other_token = hmac(self.env(su=True), 'generate_access_token', f'PORTAL-999|{tx.partner_id.id}')
        self.env.flush_all()
        with self.assertRaisesRegex(JsonRpcException, 'Forbidden'):  # another transaction's token
            self.make_jsonrpc_request('/payment/mpesa/stk_push', {
                'reference': 'PORTAL-300', 'access_token': other_token, 'phone': '0708374149'})
        with self.assertRaisesRegex(JsonRpcException, "UserError"), self.assertLogs('odoo.http', 'WARNING') as log:
            self.make_jsonrpc_request('/payment/mpesa/stk_push', {
                'reference': 'PORTAL-300', 'access_token': token, 'phone': 20123456})
        self.assertIn("20123456 is not a mobile number of KE.", log.output[0])
        answer = self.make_jsonrpc_request('/payment/mpesa/stk_push', {
            'reference': 'PORTAL-300', 'access_token': token, 'phone': 708374149})  # a number, without 0
        self.assertEqual(answer, {'state': 'pending'})
        with self.assertRaisesRegex(JsonRpcException, "UserError"), self.assertLogs('odoo.http', 'WARNING') as log:
            self.make_jsonrpc_request('/payment/mpesa/stk_push', {
                'reference': 'PORTAL-300', 'access_token': token, 'phone': '0708374149'})
        self.assertIn("was already sent to M-Pesa", log.output[0])
        self.assertEqual(len(self.sandbox_requests('/mpesa/stkpush/')), 1)
        self.assertEqual(self.sandbox_requests('/mpesa/stkpush/')[0]['json']['PhoneNumber'], '254708374149')
