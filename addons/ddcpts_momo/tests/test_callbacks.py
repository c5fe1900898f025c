import json

from odoo.tests import tagged

from odoo.addons.ddcpts_momo.tests.common import ONGOING, REJECTED, STATUS_SUCCESSFUL, MomoHttpCommon


@tagged('post_install', '-at_install')
class TestCallbacks(MomoHttpCommon):
    """MTN's callback (unsigned, PUT or POST, sent once) is a hint: the status query decides."""

    def callback_of(self, tx):
        return self.env['ddcpts.callback'].search([('related_model', '=', 'payment.transaction'),
                                                   ('related_id', '=', tx.id)], order='id')

    def test_official_callback_is_only_a_hint(self):
        """MTN's example body says SUCCESSFUL, but the status query says rejected: rejected it is."""
        tx = self.request_payment(phone=REJECTED)
        response = self.send_callback(tx.momo_reference_id, STATUS_SUCCESSFUL)
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(tx.state, 'cancel')
        self.assertIn("declined the payment", tx.state_message)
        [callback] = self.callback_of(tx)
        self.assertEqual((callback.state, callback.method, callback.reference), ('processed', 'PUT',
                                                                                 tx.momo_reference_id))
        self.assertNotIn(self.provider._ddcpts_get_callback_token(), callback.route)
        self.assertEqual(len(self.sent_requests(f'/collection/v1_0/requesttopay/{tx.momo_reference_id}', 'GET')), 1)

    def test_post_callback_settles_and_a_duplicate_changes_nothing(self):
        tx = self.request_payment()
        body = {'externalId': tx.reference, 'amount': '100.00', 'currency': 'EUR', 'status': 'SUCCESSFUL'}
        triggers = self.post_processing_triggers()
        self.assertEqual(self.send_callback(tx.momo_reference_id, body, method='POST').status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(tx.state, 'done')
        self.assertEqual(self.post_processing_triggers(), triggers + 1, "the payment is booked by the cron")
        self.assertEqual(self.send_callback(tx.momo_reference_id, body).status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(self.post_processing_triggers(), triggers + 1)
        self.assertEqual(self.callback_of(tx).mapped('state'), ['processed', 'duplicate'])
        self.assertEqual(len(self.sent_requests(f'/collection/v1_0/requesttopay/{tx.momo_reference_id}', 'GET')), 1,
                         "a duplicate asks nothing")

    def test_pending_status_keeps_the_transaction_pending(self):
        tx = self.request_payment(phone=ONGOING)
        self.send_callback(tx.momo_reference_id, {'status': 'PENDING'})
        self.env.invalidate_all()
        self.assertEqual((tx.state, tx.momo_poll_count), ('pending', 1))

    def test_request_is_found_by_body_reference_then_url_then_externalid(self):
        tx = self.request_payment()
        other = self.request_payment(phone=ONGOING)
        # posted to the URL of another request: the body's referenceId wins over the URL
        body = {'referenceId': tx.momo_reference_id, 'status': 'SUCCESSFUL'}
        self.assertEqual(self.send_callback(other.momo_reference_id, body).status_code, 200)
        self.env.invalidate_all()
        self.assertEqual((tx.state, other.state), ('done', 'pending'))
        # no reference in the body nor in the URL: the externalId (our reference) names it
        third = self.request_payment()
        body = {'externalId': third.reference, 'status': 'SUCCESSFUL'}
        self.assertEqual(self.send_callback('no-reference', body).status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(third.state, 'done')

    def test_forged_callback_is_refused_and_changes_nothing(self):
        tx = self.request_payment()
        response = self.send_callback(tx.momo_reference_id, {'status': 'SUCCESSFUL'}, token='forged-token')
        self.assertEqual(response.status_code, 403)
        self.env.invalidate_all()
        self.assertEqual(tx.state, 'pending')
        rejected = self.env['ddcpts.callback'].search([('provider', '=', 'payment.provider'),
                                                       ('state', '=', 'rejected')], limit=1, order='id desc')
        self.assertIn('/collection/', rejected.route)
        self.assertFalse(self.sent_requests(f'/collection/v1_0/requesttopay/{tx.momo_reference_id}', 'GET'))

    def test_malformed_bodies_are_refused_stored_and_change_nothing(self):
        tx = self.request_payment()
        bodies = {
            'not json': "status=SUCCESSFUL",
            'a list': '[]',
            'unknown status': json.dumps({'status': 'PAID'}),
            'status as a number': json.dumps({'status': 1}),
            'NUL byte': json.dumps({'status': 'SUCCESSFUL', 'externalId': 'INV\u0000'}),
            'amount as an object': json.dumps({'status': 'SUCCESSFUL', 'amount': {'value': 100}}),
            'reason as a list': json.dumps({'status': 'FAILED', 'reason': ['EXPIRED']}),
            'huge payer message': json.dumps({'status': 'SUCCESSFUL', 'payerMessage': 'x' * 500}),
        }
        for name, body in bodies.items():
            with self.subTest(body=name):
                response = self.send_callback(tx.momo_reference_id, body)
                self.assertEqual(response.status_code, 400, response.text)
                self.assertNotIn('Traceback', response.text)
        self.env.invalidate_all()
        self.assertEqual(tx.state, 'pending')
        stored = self.env['ddcpts.callback'].search([('route', 'like', tx.momo_reference_id)])
        self.assertEqual(len(stored), len(bodies))
        self.assertEqual(set(stored.mapped('state')), {'failed'})
        self.assertEqual(set(stored.mapped('response_status')), {400})

    def test_unknown_request_is_answered_404(self):
        response = self.send_callback('8a5b3a2e-3f0c-4d4e-9a6b-0c1d2e3f4a5b', {'status': 'SUCCESSFUL',
                                                                                'externalId': 'NOPE'})
        self.assertEqual(response.status_code, 404)

    def test_simulator_callback_settles_when_delivered(self):
        """With this server as callback host MTN calls back once (PUT, the status body without the reference
        id). The simulator holds that callback until the test delivers it, after its own writes."""
        self.use_simulator_callbacks()
        tx = self.request_payment()
        [request] = self.sent_requests()
        self.assertIn(f'/collection/{tx.momo_reference_id}', request['headers']['X-Callback-Url'])
        self.assertEqual(tx.state, 'pending')
        [callback] = self.deliver_callbacks(1)
        self.assertEqual(callback['method'], 'PUT')
        self.assertNotIn('referenceId', json.loads(callback['body']))
        self.assertEqual(tx.state, 'done')
        self.assertEqual(self.callback_of(tx).mapped('state'), ['processed'])
