import json
from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_mpesa.tests.common import (
    B2C_FAILURE_RESULT,
    B2C_SUCCESS_RESULT,
    INITIATOR_PASSWORD,
    MpesaHttpCommon,
    decrypt_credential,
)


@tagged('post_install', '-at_install')
class TestB2CPayouts(MpesaHttpCommon):
    """M-Pesa B2C as the ddcpts.payout adapter: idempotent sends, results, timeouts resolved by status."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approver = new_test_user(cls.env, 'mpesa_approver', ddcpts_payout_limit=250000,
                                     groups='base.group_user,ddcpts_base.group_ddcpts_payout_approver')
        cls.vendor = cls.env['res.partner'].create({'name': "Nicholas Songok", 'mobile': '0705 912 645',
                                                    'country_id': cls.env.ref('base.ke').id})

    def _approved_payout(self, amount=1000, partner=None, **values):
        payout = self.env['ddcpts.payout'].create({
            'partner_id': (partner or self.vendor).id, 'amount': amount, 'channel': 'mpesa',
            'journal_id': self.journal.id, 'purpose': "Supplier payment", **values,
        })
        payout.action_submit()
        payout.with_user(self.approver).action_approve()
        return payout

    def _send(self, payout):
        self.env['ddcpts.payout']._cron_send_approved()
        self.env.flush_all()
        return payout

    def test_payout_is_sent_with_the_documented_fields_and_booked_on_its_result(self):
        payout = self._send(self._approved_payout(1000))
        self.assertEqual(payout.mpesa_provider_id, self.provider, "the company's M-Pesa account by default")
        self.assertEqual(payout.state, 'sent')
        [request] = self.sandbox_requests('/mpesa/b2c/v3/paymentrequest')
        sent = request['json']
        self.assertEqual(sent['OriginatorConversationID'], payout.idempotency_key)
        self.assertEqual(decrypt_credential(self.private_key, sent['SecurityCredential']), INITIATOR_PASSWORD)
        self.assertEqual({key: sent[key] for key in ('InitiatorName', 'CommandID', 'Amount', 'PartyA', 'PartyB',
                                                      'Remarks', 'Occassion')},
                         {'InitiatorName': 'testapi', 'CommandID': 'BusinessPayment', 'Amount': 1000,
                          'PartyA': '600996', 'PartyB': '254705912645', 'Remarks': "Supplier payment",
                          'Occassion': payout.name})
        self.assertTrue(sent['ResultURL'].endswith('/b2c-result'))
        self.assertTrue(sent['QueueTimeOutURL'].endswith('/b2c-timeout'))
        self.assertTrue(payout.mpesa_conversation_id.startswith('AG_'))
        self.assertNotIn(INITIATOR_PASSWORD, str(self.env['ddcpts.provider.call'].search([]).mapped('request_body')))

        self.deliver_callbacks(1)
        self.assertEqual(payout.state, 'done')
        self.assertRegex(payout.provider_reference, r'^[A-Z][A-Z0-9]{9}$')
        self.assertEqual(payout.mpesa_receiver_name, "254705912645 - NICHOLAS JOHN SONGOK")
        self.assertEqual(payout.payment_id.amount, 1000)

    def test_refused_payout_fails_with_the_reason(self):
        payout = self._send(self._approved_payout(500, recipient_phone='0700 002 001'))
        self.deliver_callbacks(1)
        self.assertRecordValues(payout, [{'state': 'failed', 'payment_id': False,
                                          'last_error': "The initiator name or password is wrong."}])

    def test_official_results_verbatim(self):
        done, failed = self._approved_payout(10), self._approved_payout(10)
        self._send(done | failed)
        self.deliver_callbacks(2)  # the simulator's own results, then the documented ones
        done.sudo().write({'state': 'sent', 'idempotency_key': '53e3-4aa8-9fe0-8fb5e4092cdd3533373',
                           'mpesa_conversation_id': False, 'payment_id': False, 'provider_reference': False})
        failed.sudo().write({'state': 'sent', 'idempotency_key': '53e3-4aa8-9fe0-8fb5e4092cdd3544366',
                             'mpesa_conversation_id': False, 'payment_id': False, 'provider_reference': False})
        self.env.flush_all()
        for body in (B2C_SUCCESS_RESULT, B2C_FAILURE_RESULT, B2C_SUCCESS_RESULT):
            response = self.post_callback('b2c-result', body)
            self.assertEqual(response.json(), {'ResultCode': 0, 'ResultDesc': 'Accepted'})
        self.assertRecordValues(done, [{'state': 'done', 'provider_reference': 'SG632NMUAB',
                                        'mpesa_receiver_name': "254705912645 - NICHOLAS JOHN SONGOK"}])
        self.assertEqual(str(done.mpesa_completed_at), '2024-07-06 19:48:52')
        self.assertEqual(failed.state, 'failed')
        self.assertEqual(self.callbacks_of('AG_20240706_2010364430d9bbdaf872').mapped('state'),
                         ['processed', 'duplicate'])
        self.assertEqual(self.post_callback('b2c-result', {'Result': {'ResultCode': 0}}).status_code, 400)
        self.assertEqual(self.post_callback('b2c-result', {'Result': {'OriginatorConversationID': 'x'}})
                         .status_code, 404)

    def test_queue_timeout_is_resolved_by_transaction_status_never_resent(self):
        self.sandbox_rule(path='/mpesa/b2c/', result={'timeout': True, 'receipt': 'SG632NMUAB'})
        payout = self._send(self._approved_payout(750))
        self.deliver_callbacks(1)
        self.assertEqual(payout.state, 'sent')
        self.assertIn("queue timeout", payout.message_ids[0].body)
        payout.sudo().sent_at -= timedelta(minutes=11)
        self.env['ddcpts.payout']._cron_check_sent()
        [status] = self.sandbox_requests('/mpesa/transactionstatus/v1/query')
        self.assertEqual(status['json']['OriginalConversationID'], payout.mpesa_conversation_id)
        self.assertEqual(status['json']['CommandID'], 'TransactionStatusQuery')
        self.deliver_callbacks(1)
        self.assertRecordValues(payout, [{'state': 'done', 'provider_reference': 'SG632NMUAB'}])
        self.assertEqual(len(self.sandbox_requests('/mpesa/b2c/')), 1, "never sent twice")
        request = self.env['ddcpts.mpesa.request'].search([('payout_id', '=', payout.id)])
        self.assertEqual((request.kind, request.state), ('status', 'done'))
        self.assertIn("ReceiptNo: SG632NMUAB", request.result_details)

    def test_payout_unknown_to_mpesa_fails_after_a_day(self):
        self.sandbox_rule(path='/mpesa/b2c/', result={'timeout': True, 'completed': False})
        payout = self._send(self._approved_payout(750))
        payout.sudo().sent_at -= timedelta(hours=25)
        self.env['ddcpts.payout']._cron_check_sent()
        self.deliver_callbacks(2)
        self.assertEqual(payout.state, 'failed')
        self.assertIn("no record", payout.last_error)

    def test_a_repeat_of_a_payout_is_never_paid_twice(self):
        self.sandbox_rule(path='/mpesa/b2c/', status=500, body={
            'requestId': '1', 'errorCode': '500.002.1001', 'errorMessage': 'Duplicate OriginatorConversationID'})
        payout = self._send(self._approved_payout(300))
        self.assertEqual(payout.state, 'sent', "M-Pesa has it already: its outcome is asked, not sent again")
        [status] = self.sandbox_requests('/mpesa/transactionstatus/')
        self.assertEqual(status['json']['OriginalConversationID'], payout.idempotency_key)

    def test_unreachable_provider_leaves_the_payout_approved_with_the_same_key(self):
        self.sandbox_rule(path='/mpesa/b2c/', status=503, times=1)
        payout = self._approved_payout(300)
        key = payout.idempotency_key
        self._send(payout)
        self.assertEqual(payout.state, 'approved')
        self._send(payout)
        self.assertEqual(payout.state, 'sent')
        self.assertEqual([request['json']['OriginatorConversationID']
                          for request in self.sandbox_requests('/mpesa/b2c/')], [key, key])

    def test_amounts_and_numbers_mpesa_cannot_pay_are_refused(self):
        for amount, message in ((10.5, "whole shillings"), (9, "from KES 10"), (250001, "to KES 250,000")):
            with self.subTest(amount=amount), self.assertRaisesRegex(ValidationError, message):
                self._approved_payout(amount)
        ghana = self.env['res.partner'].create({'name': "Kwame", 'mobile': '+233 24 412 3456'})
        with self.assertRaisesRegex(ValidationError, "Kenyan numbers only"):
            self._approved_payout(100, partner=ghana)

    def test_pay_a_vendor_bill_and_a_customer_refund_via_mpesa(self):
        bill = self.create_invoice(2500.60, partner=self.vendor, move_type='in_invoice')
        refund = self.create_invoice(300, partner=self.vendor, move_type='out_refund')
        for document, amount in ((bill, 2500), (refund, 300)):
            with self.subTest(document.move_type):
                action = document.action_mpesa_payout()
                payout = self.env['ddcpts.payout'].with_context(action['context']).create({})
                self.assertRecordValues(payout, [{'channel': 'mpesa', 'amount': amount, 'origin': document,
                                                  'recipient_phone': '254705912645', 'journal_id': self.journal.id}])
                payout.action_submit()
                payout.with_user(self.approver).action_approve()
        self._send(payout)
        self.deliver_callbacks(2)
        self.assertEqual(bill.payment_state, 'partial', "2 500 of 2 500.60 paid: M-Pesa pays whole shillings")
        self.assertEqual(bill.amount_residual, 0.6)
        self.assertIn(refund.payment_state, ('paid', 'in_payment'))

    def test_malformed_results_never_end_a_payout(self):
        payout = self._approved_payout(10)
        payout.sudo().write({'state': 'sent', 'idempotency_key': '53e3-4aa8-9fe0-8fb5e4092cdd3533373'})
        self.env.flush_all()
        success = json.loads(B2C_SUCCESS_RESULT)
        cases = {
            "ResultCode": ({'ResultCode': [0]}, "Result.ResultCode: must be a number or a code"),
            "no ResultCode": ({'ResultCode': None}, "ResultCode: is missing"),
            "receipt": ({'TransactionID': {'A': 1}}, "Result.TransactionID: must be a string"),
            "NUL": ({'OriginatorConversationID': '53e3-4aa8\u0000'}, "NUL or control character"),
        }
        for name, (changes, message) in cases.items():
            with self.subTest(name):
                body = json.loads(B2C_SUCCESS_RESULT)
                body['Result'].update(changes)
                if changes == {'ResultCode': None}:
                    del body['Result']['ResultCode']
                response = self.post_callback('b2c-result', body)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.json()['error'])
                self.assertEqual(payout.state, 'sent')
        response = self.post_callback('b2c-result', success)
        self.assertEqual(response.status_code, 200)
        self.assertRecordValues(payout, [{'state': 'done', 'provider_reference': 'SG632NMUAB'}])
