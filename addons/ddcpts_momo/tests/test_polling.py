from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.ddcpts_momo import const
from odoo.addons.ddcpts_momo.tests.common import ONGOING, MomoHttpCommon


@tagged('post_install', '-at_install')
class TestPolling(MomoHttpCommon):
    """Callbacks are sent once and often lost: the cron settles pending requests by status query."""

    def test_lost_callback_is_settled_by_the_poll(self):
        tx = self.request_payment()
        self.assertEqual(self.sandbox('GET', 'callbacks')['callbacks'], [], "no callback was asked for")
        self.poll(tx)
        self.assertEqual(tx.state, 'done')
        self.assertFalse(tx.momo_next_poll_at)
        invoice = tx.invoice_ids
        self.post_process(tx)  # what the post-processing cron triggered by the poll does
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))

    def test_a_polled_chunk_wakes_the_post_processing_cron_once(self):
        """Each trigger is a row and, after the commit, a new connection waking the cron workers: the
        requests paid in one chunk of the polling cron ask for the payments to be booked once."""
        transactions = [self.request_payment() for _index in range(3)]
        before = self.post_processing_triggers()
        self.poll(*transactions)
        self.assertEqual([tx.state for tx in transactions], ['done'] * 3)
        self.assertEqual(self.post_processing_triggers(), before + 1)

    def test_only_due_requests_are_polled(self):
        due, later = self.request_payment(), self.request_payment()
        self.poll(due)  # `later` keeps its first query 30 seconds ahead
        self.assertEqual((due.state, later.state), ('done', 'pending'))
        self.assertEqual(len(self.sent_requests(const.REQUEST_TO_PAY_PATH + '/', 'GET')), 1)

    def test_backoff_doubles_until_the_deadline(self):
        tx = self.request_payment(phone=ONGOING)
        delays = []
        for _attempt in range(3):
            self.poll(tx)
            delays.append(round((tx.momo_next_poll_at - fields.Datetime.now()).total_seconds() / 60))
        self.assertEqual(delays, [1, 2, 4], "minutes until the next query: doubled each time")
        for _attempt in range(3):
            self.poll(tx)
        self.assertLessEqual(tx.momo_next_poll_at - fields.Datetime.now(), const.POLL_MAX_DELAY)
        self.env.cr.execute("UPDATE payment_transaction SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - const.POLL_DEADLINE - timedelta(minutes=1), tx.id])
        self.env.invalidate_all()
        self.poll(tx)
        self.assertEqual(tx.state, 'error')
        self.assertIn("never approved", tx.state_message)
        self.assertFalse(tx.momo_next_poll_at)

    def test_outage_waits_for_the_next_poll(self):
        tx = self.request_payment()
        self.sandbox_rule(method='GET', path=const.REQUEST_TO_PAY_PATH + '/', status=503, times=3)
        self.poll(tx)
        self.assertEqual((tx.state, tx.momo_poll_count), ('pending', 1))
        self.poll(tx)
        self.assertEqual(tx.state, 'done')

    def test_unreadable_status_waits_for_the_next_poll(self):
        tx = self.request_payment()
        self.sandbox_rule(method='GET', path=const.REQUEST_TO_PAY_PATH + '/', status=200,
                          body={'status': 'SUCCESSFUL', 'amount': {'value': 1}})
        self.poll(tx)
        self.assertEqual(tx.state, 'pending', "a malformed result never ends a transaction")

    def test_request_mtn_never_received_fails_after_a_while(self):
        tx = self.request_payment()
        self.sandbox_reset()  # MTN forgets it: the status query answers 404
        self.provider._ddcpts_invalidate_token(scope='collection')
        self.poll(tx)
        self.assertEqual(tx.state, 'pending', "it may still be on its way")
        self.env.cr.execute("UPDATE payment_transaction SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - const.UNKNOWN_AFTER - timedelta(minutes=1), tx.id])
        self.env.invalidate_all()
        self.poll(tx)
        self.assertEqual(tx.state, 'error')
        self.assertIn("never received", tx.state_message)

    def test_cron_polls_in_bounded_batches(self):
        self.patch(const, 'POLL_BATCH', 2)
        self.patch(const, 'POLL_CHUNK', 1)
        transactions = [self.request_payment() for _index in range(3)]
        for tx in transactions:
            tx.momo_next_poll_at = fields.Datetime.now() - timedelta(seconds=1)
        self.env['payment.transaction']._cron_momo_poll_pending()
        self.env.invalidate_all()
        self.assertEqual([tx.state for tx in transactions], ['done', 'done', 'pending'])
