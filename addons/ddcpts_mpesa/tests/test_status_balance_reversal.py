from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ddcpts_mpesa.tests.common import SHORTCODE, MpesaHttpCommon


@tagged('post_install', '-at_install')
class TestStatusBalanceReversal(MpesaHttpCommon):
    """The asynchronous Daraja requests: sent with the initiator's credential, answered on result routes."""

    def _paid_by_stk(self, amount=900):
        invoice = self.create_invoice(amount)
        tx = invoice._mpesa_request_payment()
        self.deliver_callbacks(1)
        self.post_process(tx)
        self.assertEqual(tx.state, 'done')
        return invoice, tx

    def _wait_result(self):
        return self.deliver_callbacks(1)

    def test_account_balance_is_parsed_and_shown_on_the_provider(self):
        self.provider.action_mpesa_check_balance()
        [request] = self.sandbox_requests('/mpesa/accountbalance/v1/query')
        self.assertEqual((request['json']['CommandID'], request['json']['PartyA'], request['json']['IdentifierType']),
                         ('AccountBalance', SHORTCODE, '4'))
        self.assertTrue(request['json']['ResultURL'].endswith('/balance-result'))
        self._wait_result()
        balances = {balance.account_name: balance for balance in self.provider.mpesa_balance_ids}
        self.assertEqual(len(balances), 5)
        self.assertEqual(balances['Working Account'].available_balance, 700000)
        self.assertEqual(balances['Charges Paid Account'].current_balance, -1540)
        self.assertEqual(balances['Utility Account'].currency_id, self.kes)
        self.assertTrue(self.provider.mpesa_balance_checked_at)

    def test_reversal_of_a_receipt_books_the_refund(self):
        invoice, tx = self._paid_by_stk(900)
        tx.action_refund()
        refund_tx = tx.child_transaction_ids
        self.assertRecordValues(refund_tx, [{'operation': 'refund', 'state': 'pending', 'amount': -900}])
        [request] = self.sandbox_requests('/mpesa/reversal/v1/request')
        sent = request['json']
        self.assertEqual({key: sent[key] for key in ('CommandID', 'TransactionID', 'Amount', 'ReceiverParty',
                                                      'RecieverIdentifierType')},
                         {'CommandID': 'TransactionReversal', 'TransactionID': tx.mpesa_receipt, 'Amount': 900,
                          'ReceiverParty': SHORTCODE, 'RecieverIdentifierType': '11'})
        self._wait_result()
        self.assertEqual(refund_tx.state, 'done')
        self.post_process(refund_tx)
        self.assertEqual((refund_tx.payment_id.payment_type, refund_tx.payment_id.amount), ('outbound', 900))

    def test_reversal_result_codes(self):
        _invoice, tx = self._paid_by_stk(400)
        self.sandbox_rule(path='/mpesa/reversal/', result={'result_code': 'R000001'})
        tx.action_refund()
        self._wait_result()
        refund_tx = tx.child_transaction_ids
        self.assertEqual((refund_tx.state, refund_tx.state_message),
                         ('done', "M-Pesa had already reversed this payment."))

        _invoice, other = self._paid_by_stk(300)
        self.sandbox_rule(path='/mpesa/reversal/', result={'result_code': 'R000002'})
        other.action_refund()
        self._wait_result()
        self.assertEqual(other.child_transaction_ids.state, 'error')
        self.assertIn("does not know the original payment", other.child_transaction_ids.state_message)

    def test_reversal_without_result_is_sent_again(self):
        """A queue timeout leaves the refund unknown: sending the reversal again is safe (R000001)."""
        invoice, tx = self._paid_by_stk(500)
        self.sandbox_rule(path='/mpesa/reversal/', callback={'drop': True})
        tx.action_refund()
        refund_tx = tx.child_transaction_ids
        with self.assertRaisesRegex(UserError, "has not answered the reversal"):
            refund_tx.action_mpesa_reverse_again()
        request = self.env['ddcpts.mpesa.request'].search([('transaction_id', '=', refund_tx.id)])
        self.env.flush_all()
        timeout = {'Result': {'ResultType': 1, 'ResultCode': 'SVC0403', 'ResultDesc': "Request timed out",
                              'ConversationID': request.conversation_id}}
        self.assertEqual(self.post_callback('reversal-timeout', timeout).status_code, 200)
        self.assertEqual((request.state, refund_tx.state), ('timeout', 'pending'))
        self.assertIn("timed out on the reversal", invoice.message_ids.mapped('body')[0])

        self.sandbox_rule(path='/mpesa/reversal/', result={'result_code': 'R000001'})
        refund_tx.action_mpesa_reverse_again()
        self.deliver_callbacks(1)
        deliveries = self.sandbox('GET', 'callbacks')['callbacks']
        self.assertEqual([delivery['state'] for delivery in deliveries], ['delivered', 'dropped', 'delivered'])
        self.assertEqual(len(self.sandbox_requests('/mpesa/reversal/v1/request')), 2)
        self.assertEqual((refund_tx.state, refund_tx.state_message),
                         ('done', "M-Pesa had already reversed this payment."))
        with self.assertRaisesRegex(UserError, "Only a pending M-Pesa refund"):
            refund_tx.action_mpesa_reverse_again()

    def test_reversal_needs_the_receipt(self):
        tx = self.create_pending_tx(100, 'ws_CO_no_receipt')
        tx._set_done()
        with self.assertRaisesRegex(UserError, "receipt of .* is not known yet"):
            tx.action_refund()
        self.assertFalse(tx.child_transaction_ids)

    def test_transaction_status_of_a_receipt(self):
        invoice, tx = self._paid_by_stk(250)
        tx.action_mpesa_check_status()
        [request] = self.sandbox_requests('/mpesa/transactionstatus/v1/query')
        self.assertEqual((request['json']['TransactionID'], request['json']['CommandID']),
                         (tx.mpesa_receipt, 'TransactionStatusQuery'))
        self._wait_result()
        status = self.env['ddcpts.mpesa.request'].search([('transaction_id', '=', tx.id)])
        self.assertEqual((status.state, status.result_code), ('done', '0'))
        self.assertIn("TransactionStatus: Completed", status.result_details)
        self.assertIn(f"M-Pesa status of {tx.mpesa_receipt}: Completed", invoice.message_ids.mapped('body')[0])

    def test_results_are_matched_once_and_bad_ones_refused(self):
        self.provider.action_mpesa_check_balance()
        [delivery] = self._wait_result()
        self.assertEqual(self.post_callback('balance-result', delivery['body']).json(),
                         {'ResultCode': 0, 'ResultDesc': 'Accepted'})
        request = self.env['ddcpts.mpesa.request'].search([('kind', '=', 'balance')])
        self.assertEqual(self.callbacks_of(request.conversation_id).mapped('state'), ['processed', 'duplicate'])
        for body, status in (({'Result': {'ConversationID': 'AG_unknown'}}, 404), ({'Result': 'x'}, 400),
                             ('nope', 400)):
            with self.subTest(body=body):
                self.assertEqual(self.post_callback('status-result', body).status_code, status)

    def test_queue_timeout_of_a_request(self):
        self.provider.action_mpesa_check_balance()
        self._wait_result()
        request = self.env['ddcpts.mpesa.request'].search([('kind', '=', 'balance')])
        request.state = 'sent'
        self.env.flush_all()
        timeout = {'Result': {'ResultType': 1, 'ResultCode': 'SVC0403', 'ResultDesc': "Request timed out",
                              'ConversationID': request.conversation_id}}
        self.assertEqual(self.post_callback('balance-timeout', timeout).status_code, 200)
        self.assertRecordValues(request, [{'state': 'timeout', 'result_desc': "Request timed out"}])

    def test_missing_initiator_configuration_is_explained(self):
        self.provider.mpesa_certificate_sandbox = False
        with self.assertRaisesRegex(UserError, "Upload Safaricom's sandbox certificate"):
            self.provider.action_mpesa_check_balance()
        self.provider.mpesa_initiator_password = False
        with self.assertRaisesRegex(UserError, "initiator name and password"):
            self.provider.action_mpesa_check_balance()
        self.assertFalse(self.sandbox_requests('/mpesa/accountbalance/'))
