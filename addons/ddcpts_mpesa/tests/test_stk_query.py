from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tests.common import MpesaHttpCommon


@tagged('post_install', '-at_install')
class TestStkQuery(MpesaHttpCommon):
    """Lost STK callbacks are resolved by the query cron, with backoff, until the request expires."""

    def _push_with_lost_callback(self, amount=500, **result):
        self.sandbox_rule(path='/mpesa/stkpush/', callback={'drop': True, 'delay_ms': 0}, result=result or None)
        invoice = self.create_invoice(amount)
        tx = invoice._mpesa_request_payment()
        if not result.get('pending'):  # the simulator only posts (here: drops) the callbacks of completed pushes
            self.assertEqual(self.sandbox('GET', 'callbacks')['callbacks'][-1]['state'], 'dropped')
        return invoice, tx

    def _run_cron_now(self, tx):
        tx.mpesa_next_query_at = fields.Datetime.now() - timedelta(seconds=1)
        self.env['payment.transaction']._cron_mpesa_query_pending()

    def test_push_schedules_the_first_query_a_minute_later(self):
        _invoice, tx = self._push_with_lost_callback()
        delay = tx.mpesa_next_query_at - fields.Datetime.now()
        self.assertAlmostEqual(delay.total_seconds(), const.STK_QUERY_FIRST_DELAY.total_seconds(), delta=5)
        self.env['payment.transaction']._cron_mpesa_query_pending()
        self.assertEqual(tx.state, 'pending', "not queried before it is due")
        self.assertFalse(self.sandbox_requests('/mpesa/stkpushquery/'))

    def test_lost_success_callback_is_resolved_by_the_query(self):
        invoice, tx = self._push_with_lost_callback()
        self._run_cron_now(tx)
        [query] = self.sandbox_requests('/mpesa/stkpushquery/v1/query')
        self.assertEqual(query['json']['CheckoutRequestID'], tx.mpesa_checkout_request_id)
        self.assertRecordValues(tx, [{'state': 'done', 'mpesa_receipt': False, 'mpesa_next_query_at': False}])
        self.assertIn("status query", tx.state_message)
        self.post_process(tx)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))

    def test_lost_failure_callbacks_are_resolved_by_the_query(self):
        for code, state in ((1032, 'cancel'), (1037, 'error'), (2001, 'error')):
            with self.subTest(code=code):
                _invoice, tx = self._push_with_lost_callback(result_code=code)
                self._run_cron_now(tx)
                self.assertEqual(tx.state, state)
                self.assertEqual(tx.state_message, str(const.STK_RESULT_MESSAGES[code]))

    def test_cancellation_by_the_cron_is_translated_without_a_warning(self):
        """The cron has no request: its messages take the environment's language."""
        _invoice, tx = self._push_with_lost_callback(result_code=1032)
        with self.assertNoLogs('odoo.tools.translate', level='WARNING'):
            self._run_cron_now(tx)
        self.assertRecordValues(tx, [{'state': 'cancel', 'state_message': str(const.STK_RESULT_MESSAGES[1032])}])

    def test_processing_answers_back_off_until_the_request_expires(self):
        _invoice, tx = self._push_with_lost_callback(pending=True)
        delays = []
        for _round in range(3):
            self._run_cron_now(tx)
            self.assertEqual(tx.state, 'pending')
            delays.append(round((tx.mpesa_next_query_at - fields.Datetime.now()).total_seconds() / 60))
        self.assertEqual(delays, [2, 4, 8], "minutes until the next query double")
        self.assertEqual(tx.mpesa_query_count, 3)
        tx.last_state_change = fields.Datetime.now() - const.STK_QUERY_DEADLINE - timedelta(minutes=1)
        self._run_cron_now(tx)
        self.assertEqual(tx.state, 'error')
        self.assertIn("never confirmed", tx.state_message)

    def test_provider_outage_is_retried_later(self):
        _invoice, tx = self._push_with_lost_callback()
        self.sandbox_rule(path='/mpesa/stkpushquery/', status=503, times=3)
        self._run_cron_now(tx)
        self.assertEqual(tx.state, 'pending')
        self.assertGreater(tx.mpesa_next_query_at, fields.Datetime.now())
        self._run_cron_now(tx)
        self.assertEqual(tx.state, 'done')

    def test_callback_refused_before_the_push_was_committed_is_processed_again(self):
        """A fast callback can reach Odoo before the transaction holding the CheckoutRequestID commits."""
        callback = self.stk_callback('ws_CO_early_bird', amount=300, receipt='SEA7RLY0B1')
        self.assertEqual(self.post_callback('stk', callback).status_code, 404)
        tx = self.create_pending_tx(300, 'ws_CO_early_bird')
        self._run_cron_now(tx)
        self.assertRecordValues(tx, [{'state': 'done', 'mpesa_receipt': 'SEA7RLY0B1'}])
        self.assertFalse(self.sandbox_requests('/mpesa/stkpushquery/'), "no query needed: the callback said it all")
        self.assertEqual(self.callbacks_of('ws_CO_early_bird').state, 'processed')
