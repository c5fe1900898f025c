import json
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools.misc import formatLang
from odoo.tools.safe_eval import safe_eval

from odoo.addons.ddcpts_mpesa.tests.common import (
    STK_CANCELLED_CALLBACK,
    STK_SUCCESS_CALLBACK,
    MpesaHttpCommon,
)


@tagged('post_install', '-at_install')
class TestStkCallback(MpesaHttpCommon):
    """The STK callback route: official payloads, result codes, replays, bad input."""

    def setUp(self):
        super().setUp()
        self.invoice = self.create_invoice(1)
        self.tx = self.create_pending_tx(1.0, 'ws_CO_191220191020363925', invoice=self.invoice)
        self.env.flush_all()

    def test_official_success_payload_books_the_payment(self):
        response = self.post_callback('stk', STK_SUCCESS_CALLBACK)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {'ResultCode': 0, 'ResultDesc': 'Accepted'})
        self.assertRecordValues(self.tx, [{
            'state': 'done', 'mpesa_receipt': 'NLJ7RT61SV', 'provider_reference': 'NLJ7RT61SV',
            'mpesa_phone': '254708374149', 'mpesa_amount_received': 1.0, 'ddcpts_needs_review': False,
        }])
        self.assertEqual(str(self.tx.mpesa_paid_at), '2019-12-19 07:21:15', "Nairobi time stored in UTC")
        [callback] = self.callbacks_of('ws_CO_191220191020363925')
        self.assertRecordValues(callback, [{'state': 'processed', 'related_model': 'payment.transaction',
                                            'related_id': self.tx.id}])
        self.assertNotIn(self.tx.id, self.env['payment.transaction'].search([('is_post_processed', '=', True)]).ids,
                         "accounting is left to the post-processing cron")
        self.post_process(self.tx)
        self.assertEqual(self.tx.payment_id.amount, 1.0)
        self.assertIn(self.invoice.payment_state, ('paid', 'in_payment'))

    def test_payment_message_is_posted_on_the_invoice_by_post_processing(self):
        """The callback leaves the "confirmed" message to the post-processing it triggers (reading and
        posting on the invoices would be most of its cost): the same message, by the same author."""
        def confirmed(message):
            return f"reference {self.tx.reference} for" in message.body and "has been confirmed" in message.body
        self.post_callback('stk', STK_SUCCESS_CALLBACK)
        self.env.invalidate_all()
        self.assertEqual(self.tx.state, 'done')
        self.assertTrue(self.tx.ddcpts_received_message_due)
        self.assertFalse(self.invoice.message_ids.filtered(confirmed))
        self.post_process(self.tx)
        [message] = self.invoice.message_ids.filtered(confirmed)
        self.assertEqual(message.author_id, self.env.ref('base.partner_root'))
        self.assertFalse(self.tx.ddcpts_received_message_due)
        self.post_process(self.tx)
        self.assertEqual(len(self.invoice.message_ids.filtered(confirmed)), 1, "posted once")

    def test_official_cancelled_payload_cancels(self):
        self.tx.mpesa_checkout_request_id = 'ws_CO_21072024125243250722943992'
        self.env.flush_all()
        response = self.post_callback('stk', STK_CANCELLED_CALLBACK)
        self.assertEqual(response.status_code, 200)
        self.assertRecordValues(self.tx, [{'state': 'cancel', 'mpesa_result_code': '1032',
                                           'state_message': "The payment was cancelled on the phone."}])

    def test_each_result_code_ends_in_plain_words(self):
        expected = {
            1: ('error', "The M-Pesa balance was not enough for this payment."),
            1019: ('error', "The payment request expired before it was approved on the phone."),
            1037: ('error', "The phone could not be reached (switched off or out of network). Please try again."),
            2001: ('error', "The M-Pesa PIN entered was wrong."),
            "1032": ('cancel', "The payment was cancelled on the phone."),
            4999: ('error', "Something new"),
        }
        for code, (state, message) in expected.items():
            with self.subTest(code=code):
                tx = self.create_pending_tx(1.0, f'ws_CO_code_{code}')
                self.env.flush_all()
                response = self.post_callback('stk', self.stk_callback(f'ws_CO_code_{code}', code=code,
                                                                         desc="Something new"))
                self.assertEqual(response.status_code, 200)
                tx.invalidate_recordset()
                self.assertRecordValues(tx, [{'state': state, 'state_message': message, 'mpesa_receipt': False}])

    def test_same_callback_five_times_is_booked_once(self):
        for _attempt in range(5):
            response = self.post_callback('stk', STK_SUCCESS_CALLBACK)
            self.assertEqual(response.json(), {'ResultCode': 0, 'ResultDesc': 'Accepted'})
        self.assertEqual(self.tx.state, 'done')
        self.assertEqual(self.env['payment.transaction'].search_count([('mpesa_receipt', '=', 'NLJ7RT61SV')]), 1)
        self.assertEqual(self.callbacks_of('ws_CO_191220191020363925').mapped('state'),
                         ['processed'] + ['duplicate'] * 4)
        self.post_process(self.tx)
        self.assertEqual(len(self.env['account.payment'].search([('payment_transaction_id', '=', self.tx.id)])), 1)

    def test_late_failure_after_success_changes_nothing(self):
        self.post_callback('stk', STK_SUCCESS_CALLBACK)
        response = self.post_callback('stk', self.stk_callback('ws_CO_191220191020363925', code=1032))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.tx.state, 'done')
        self.assertEqual(self.callbacks_of('ws_CO_191220191020363925')[-1].state, 'duplicate')

    def test_wrong_token_is_refused_and_nothing_changes(self):
        response = self.post_callback('stk', STK_SUCCESS_CALLBACK, token='0' * 64)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.tx.state, 'pending')
        rejected = self.env['ddcpts.callback'].search([('route', 'like', '/ddcpts/daraja/%/stk'),
                                                        ('state', '=', 'rejected')])
        self.assertEqual(len(rejected), 1)
        self.assertNotIn('0' * 64, rejected.route, "the token is masked in the log")
        other_provider = self.env['payment.provider'].create({'name': "Other M-Pesa", 'code': 'mpesa'})
        response = self.post_callback('stk', STK_SUCCESS_CALLBACK,
                                      token=other_provider._ddcpts_get_callback_token())
        self.assertEqual(response.status_code, 403, "another provider's token does not open this one")
        self.assertEqual(self.tx.state, 'pending')

    def test_malformed_bodies_get_a_clear_4xx_and_change_nothing(self):
        success = json.loads(STK_SUCCESS_CALLBACK)
        no_receipt = json.loads(STK_SUCCESS_CALLBACK)
        del no_receipt['Body']['stkCallback']['CallbackMetadata']['Item'][1]
        text_amount = json.loads(STK_SUCCESS_CALLBACK)
        text_amount['Body']['stkCallback']['CallbackMetadata']['Item'][0]['Value'] = 'one'
        cases = {
            "not json": ('{"Body": ', 400, "not valid JSON"),
            "array": ('[1, 2]', 400, "must be a JSON object"),
            "empty": ('', 400, "not valid JSON"),
            "no Body": ({'stkCallback': success['Body']['stkCallback']}, 400, "Body.stkCallback"),
            "Body not an object": ({'Body': 'x'}, 400, "Body.stkCallback"),
            "no CheckoutRequestID": ({'Body': {'stkCallback': {'ResultCode': 0}}}, 400, "CheckoutRequestID"),
            "no ResultCode": ({'Body': {'stkCallback': {'CheckoutRequestID': 'ws_CO_191220191020363925'}}}, 400,
                              "ResultCode: is missing"),
            "no receipt item": (no_receipt, 400, "MpesaReceiptNumber"),
            "no metadata": ({'Body': {'stkCallback': {'CheckoutRequestID': 'ws_CO_191220191020363925',
                                                      'ResultCode': 0}}}, 400, "MpesaReceiptNumber"),
            "amount not a number": (text_amount, 400, "is not an amount"),
            "unknown request": (self.stk_callback('ws_CO_unknown', amount=1, receipt='NLJ7RT61SX'), 404,
                                "No payment request"),
        }
        for name, (body, status, message) in cases.items():
            with self.subTest(name):
                response = self.post_callback('stk', body)
                self.assertEqual(response.status_code, status)
                self.assertIn(message, response.json()['error'])
        self.tx.invalidate_recordset()
        self.assertEqual((self.tx.state, self.tx.mpesa_receipt), ('pending', False))
        self.assertEqual(set(self.env['ddcpts.callback'].search([('route', 'like', '/ddcpts/daraja/%/stk')])
                             .mapped('state')), {'failed'}, "every body is stored, none is lost")

    def test_tolerated_variants_string_amounts_codes_and_items_without_value(self):
        body = self.stk_callback('ws_CO_191220191020363925', code="0", amount="1.00", receipt='nlj7rt61sv')
        response = self.post_callback('stk', body)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertRecordValues(self.tx, [{'state': 'done', 'mpesa_receipt': 'NLJ7RT61SV'}])

    def test_amount_mismatch_goes_to_review_and_is_never_done(self):
        self.tx.write({'amount': 10.0})
        self.env.flush_all()
        self.post_callback('stk', STK_SUCCESS_CALLBACK)
        self.assertRecordValues(self.tx, [{
            'state': 'error', 'ddcpts_needs_review': True, 'mpesa_receipt': 'NLJ7RT61SV',
            'mpesa_amount_received': 1.0, 'payment_id': False,
        }])
        paid, asked = (formatLang(self.env, amount, currency_obj=self.kes) for amount in (1.0, 10.0))
        self.assertIn(f"{paid} paid instead of the {asked} requested", self.tx.state_message)
        review_queue = safe_eval(self.env.ref('ddcpts_mpesa.action_mpesa_review').domain)
        self.assertIn(self.tx, self.env['payment.transaction'].search(review_queue))
        # the accountant accepts what was received
        self.tx.action_mpesa_review()
        wizard = self.env['ddcpts.mpesa.review.assign'].create({'transaction_id': self.tx.id})
        self.assertEqual((wizard.partner_id, wizard.amount, wizard.invoice_ids),
                         (self.customer, 1.0, self.invoice))
        wizard.action_assign()
        self.assertRecordValues(self.tx, [{'state': 'done', 'amount': 1.0, 'ddcpts_needs_review': False}])
        self.assertEqual(self.tx.payment_id.amount, 1.0)

    def test_nul_characters_are_refused_stored_and_book_nothing(self):
        """A JSON string escaping a NUL ("\\u0000") was a 500 with a traceback: now a 400 naming the field."""
        with_nul = {
            "CheckoutRequestID": STK_SUCCESS_CALLBACK.replace('ws_CO_191220191020363925', 'ws_CO_1912\\u000020'),
            "MpesaReceiptNumber": STK_SUCCESS_CALLBACK.replace('NLJ7RT61SV', 'NLJ7RT\\u000061'),
        }
        for field, body in with_nul.items():
            with self.subTest(field), self.assertNoLogs('odoo.addons.ddcpts_base.models.ddcpts_callback', 'ERROR'):
                response = self.post_callback('stk', body)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json()['error'])
                self.assertIn("NUL or control character", response.json()['error'])
        self.tx.invalidate_recordset()
        self.assertRecordValues(self.tx, [{'state': 'pending', 'mpesa_receipt': False}])
        stored = self.env['ddcpts.callback'].search([('route', 'like', '/ddcpts/daraja/%/stk')])
        self.assertEqual(stored.mapped('state'), ['failed', 'failed'], "both bodies are kept, as refused")
        self.assertEqual(set(stored.mapped('response_status')), {400})

    def test_receipt_sent_as_an_object_is_refused_and_the_genuine_callback_books(self):
        """Booked before as receipt "{'A': 1}", the genuine callback then became a second payment for review."""
        forged = json.loads(STK_SUCCESS_CALLBACK)
        forged['Body']['stkCallback']['CallbackMetadata']['Item'][1]['Value'] = {'A': 1}
        response = self.post_callback('stk', forged)
        self.assertEqual(response.status_code, 400)
        self.assertIn("MpesaReceiptNumber: must be a string", response.json()['error'])
        self.assertRecordValues(self.tx, [{'state': 'pending', 'mpesa_receipt': False}])

        response = self.post_callback('stk', STK_SUCCESS_CALLBACK)
        self.assertEqual(response.status_code, 200)
        self.assertRecordValues(self.tx, [{'state': 'done', 'mpesa_receipt': 'NLJ7RT61SV',
                                           'ddcpts_needs_review': False}])
        self.assertEqual(self.env['payment.transaction'].search_count([('provider_id', '=', self.provider.id),
                                                                      ('mpesa_source', '!=', False)]), 1)

    def test_result_code_in_a_list_leaves_the_push_to_the_status_query(self):
        """``ResultCode: [0]`` put the push in error, so the status query never looked at it again."""
        body = json.loads(STK_CANCELLED_CALLBACK)
        body['Body']['stkCallback'].update(CheckoutRequestID='ws_CO_191220191020363925', ResultCode=[0])
        response = self.post_callback('stk', body)
        self.assertEqual(response.status_code, 400)
        self.assertIn("ResultCode: must be a whole number", response.json()['error'])
        self.assertRecordValues(self.tx, [{'state': 'pending', 'mpesa_result_code': False}])
        self.tx.mpesa_next_query_at = fields.Datetime.now() - timedelta(seconds=1)
        self.env['payment.transaction']._cron_mpesa_query_pending()
        [query] = self.sandbox_requests('/mpesa/stkpushquery/v1/query')
        self.assertEqual(query['json']['CheckoutRequestID'], 'ws_CO_191220191020363925',
                         "the status query cron still asks about it")
        self.assertEqual(self.tx.state, 'pending', "and the malformed callback, processed again, changes nothing")
