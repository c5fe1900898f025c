import json
from urllib.parse import parse_qs

from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase
from odoo.addons.ddcpts_sms.tests.common import SmsCallbackMixin, SmsGatewayMixin
from odoo.addons.ddcpts_sms.tools.twilio_signature import twilio_signature

TWILIO_MESSAGES = '/2010-04-01/Accounts/ACtestaccount/Messages.json'


@tagged('post_install', '-at_install')
class TestOtherGateways(SmsCallbackMixin, SmsGatewayMixin, DdcptsHttpCase):
    """Twilio, Infobip and MTN: sending, number errors, delivery reports (end to end through the simulator)."""

    def use_only(self, gateway_type, **values):
        self.gateway.action_archive()
        gateway = self.create_gateway(gateway_type, **values)
        gateway.ddcpts_public_url = self.base_url()
        return gateway

    def send(self, numbers):
        with self.request_env() as env:
            sms = env['sms.sms'].create([{'number': number, 'body': "Hello"} for number in numbers])
            sms.send(unlink_sent=False)
            ids = sms.ids
        return self.env['sms.sms'].browse(ids)

    def test_twilio_one_request_per_number_and_signed_status_callbacks(self):
        gateway = self.use_only('twilio', sender_id='+15005550006')
        self.sandbox_rule(path=TWILIO_MESSAGES, times=-1, result={'errors': {'+254701000009': 21211},
                                                        'statuses': {'+254701000002': ['sent', 'undelivered:30003']}})
        sms = self.send(['+254701000001', '+254701000002', '+254701000009'])
        requests = self.sandbox_requests(TWILIO_MESSAGES)
        self.assertEqual(len(requests), 3)
        form = parse_qs(requests[0]['body'])
        self.assertEqual((form['From'], form['Body']), (['+15005550006'], ['Hello']))
        self.assertEqual(form['StatusCallback'], [gateway._ddcpts_event_url('delivery')])
        self.assertEqual([(record.state, record.failure_type) for record in sms],
                         [('pending', False), ('pending', False), ('error', 'sms_number_format')])
        self.sandbox_deliver_callbacks(4)
        messages = self.messages_of(sms).sorted('number')
        self.assertEqual(messages.mapped('state'), ['delivered', 'failed', 'failed'])
        self.assertRecordValues(messages[1], [{'failure_type': 'sms_invalid_destination',
                                               'failure_reason': 'undelivered (30003)'}])
        self.assertTrue(messages[0].provider_message_id.startswith('SM'))
        self.assertFalse(self.env['ddcpts.callback'].search([('provider', '=', 'twilio'), ('state', '=', 'failed')]))

    def test_twilio_signature_is_required(self):
        gateway = self.use_only('twilio', sender_id='+15005550006')
        sms = self.send(['+254701000001'])
        sid = self.messages_of(sms).provider_message_id
        self.sandbox_deliver_callbacks(2)
        url = gateway._ddcpts_event_url('delivery')
        params = {'MessageSid': sid, 'MessageStatus': 'failed', 'To': '+254701000001', 'ErrorCode': '30008'}
        forged = self.post_form(self.callback_path(gateway, 'delivery'), params,
                                headers={'X-Twilio-Signature': twilio_signature('wrong-token', url, params)})
        self.assertEqual(forged.status_code, 403)
        self.assertEqual(self.last_callback().error, "Invalid X-Twilio-Signature.")
        unsigned = self.post_form(self.callback_path(gateway, 'delivery'), params)
        self.assertEqual(unsigned.status_code, 403)
        self.assertEqual(self.messages_of(sms).state, 'delivered')
        signed = self.post_form(self.callback_path(gateway, 'delivery'), dict(params, MessageStatus='delivered'),
                                headers={'X-Twilio-Signature': twilio_signature(
                                    'twilio-auth-token', url, dict(params, MessageStatus='delivered'))})
        self.assertEqual((signed.status_code, self.last_callback().state), (200, 'duplicate'))

    def test_twilio_real_status_callback_signed_for_the_url_given_or_reached(self):
        gateway = self.use_only('twilio', sender_id='+15005550006')
        self.sandbox_rule(path=TWILIO_MESSAGES, result={'statuses': {'+254701000001': None}})
        sid = self.messages_of(self.send(['+254701000001'])).provider_message_id
        gateway.ddcpts_public_url = 'https://erp.example.co.ke'  # given to Twilio; a proxy forwards to Odoo
        path = self.callback_path(gateway, 'delivery')
        # every parameter Twilio posts for an SMS status (all of them are signed)
        params = {'AccountSid': 'ACtestaccount', 'ApiVersion': '2010-04-01', 'From': '+15005550006',
                  'MessageSid': sid, 'MessageStatus': 'sent', 'SmsSid': sid, 'SmsStatus': 'sent',
                  'To': '+254701000001'}

        def post(params, url):
            return self.post_form(path, params, headers={
                'X-Twilio-Signature': twilio_signature('twilio-auth-token', url, params)})

        self.assertEqual(post(params, f'{self.base_url()}{path}').status_code, 200, "signed for the URL reached")
        self.assertRecordValues(self.messages_of_sid(sid), [{'state': 'buffered', 'provider_status': 'sent'}])
        failed = dict(params, MessageStatus='undelivered', SmsStatus='undelivered', ErrorCode='30003')
        self.assertEqual(post(failed, f'https://attacker.example{path}').status_code, 403)
        self.assertEqual(post(failed, f'https://erp.example.co.ke{path}').status_code, 200, "signed for the URL given")
        self.assertRecordValues(self.messages_of_sid(sid), [{
            'state': 'failed', 'failure_type': 'sms_invalid_destination', 'failure_reason': 'undelivered (30003)'}])

    def messages_of_sid(self, sid):
        return self.env['ddcpts.sms.message'].search([('provider_message_id', '=', sid)])

    def test_infobip_report_with_known_and_not_yet_known_messages(self):
        gateway = self.use_only('infobip', sender_id='DDCPTS')
        self.sandbox_rule(path='/sms/3/messages', result={'delivery': {'254701000001': None}})
        message = self.messages_of(self.send(['+254701000001']))

        def result(message_id, group, name, error):
            # the shape of Infobip's delivery report (docs example)
            return {"bulkId": "BULK-ID-123-xyz", "price": {"pricePerMessage": 0.01, "currency": "EUR"},
                    "status": {"id": 5, "groupId": 3, "groupName": group, "name": name, "description": name},
                    "error": {"id": 0, "name": error, "description": error, "groupId": 0, "groupName": "OK",
                              "permanent": False},
                    "messageId": message_id, "doneAt": "2025-05-01T10:00:00.000+0000", "messageCount": 1,
                    "sentAt": "2025-05-01T09:59:58.000+0000", "to": "254701000001"}

        later = result('MESSAGE-ID-not-recorded-yet', 'UNDELIVERABLE', 'UNDELIVERABLE_NOT_DELIVERED',
                       'EC_ABSENT_SUBSCRIBER')
        body = {"results": [result(message.provider_message_id, 'DELIVERED', 'DELIVERED_TO_HANDSET', 'NO_ERROR'),
                            later]}
        response = self.post_body(self.callback_path(gateway, 'delivery'), json.dumps(body))
        self.assertEqual(response.status_code, 200, "the known report is applied, the other one kept")
        self.assertRecordValues(message, [{'state': 'delivered', 'cost': 0.01}])
        waiting = self.env['ddcpts.callback'].search([('provider', '=', 'infobip'), ('state', '=', 'failed')])
        self.assertRecordValues(waiting, [{'response_status': 202, 'attempt_count': 0}])
        self.assertEqual(json.loads(waiting.body), {'results': [later]})

        # the batch that sent it commits: the cron applies the kept report
        self.env['ddcpts.sms.message'].create({
            'gateway_id': gateway.id, 'number': '+254701000001', 'provider_message_id': 'MESSAGE-ID-not-recorded-yet'})
        self.env['ddcpts.sms.message']._cron_apply_early_reports()
        self.assertRecordValues(waiting, [{'state': 'processed', 'response_status': 200}])
        self.assertRecordValues(self.messages_of_sid('MESSAGE-ID-not-recorded-yet'), [{
            'state': 'failed', 'failure_type': 'sms_not_delivered', 'failure_reason': 'EC_ABSENT_SUBSCRIBER'}])

    def test_infobip_bulk_send_and_json_reports(self):
        gateway = self.use_only('infobip', sender_id='DDCPTS')
        self.sandbox_rule(path='/sms/3/messages', result={
            'rejected': {'254701000009': 'REJECTED_DESTINATION'},
            'delivery': {'254701000002': 'UNDELIVERABLE:EC_ABSENT_SUBSCRIBER'}})
        sms = self.send(['+254701000001', '+254701000002', '+254701000009'])
        request = self.sandbox_requests('/sms/3/messages')
        self.assertEqual(len(request), 1)
        message = request[0]['json']['messages'][0]
        self.assertEqual(message['destinations'], [{'to': '254701000001'}, {'to': '254701000002'},
                                                   {'to': '254701000009'}])
        self.assertEqual(message['webhooks']['delivery']['url'], gateway._ddcpts_event_url('delivery'))
        self.assertEqual(sms.mapped('failure_type'), [False, False, 'sms_number_format'])
        self.sandbox_deliver_callbacks(2)
        delivered, undelivered, _rejected = self.messages_of(sms).sorted('number')
        self.assertRecordValues(delivered, [{'state': 'delivered', 'cost': 0.01,
                                             'currency_id': self.env.ref('base.EUR').id}])
        self.assertRecordValues(undelivered, [{'state': 'failed', 'failure_type': 'sms_not_delivered',
                                               'failure_reason': 'EC_ABSENT_SUBSCRIBER'}])
        path = self.callback_path(gateway, 'delivery')
        for body in ('not json', '{"results": "nope"}', '{"results": [{"to": "254701000001"}]}'):
            with self.subTest(body=body):
                self.assertEqual(self.post_body(path, body).status_code, 400)

    def test_mtn_token_subscription_send_and_receipts(self):
        gateway = self.use_only('mtn', sender_id='DDCPTS')
        gateway.action_mtn_subscribe()
        subscription = self.sandbox('GET', 'state')['mtn_sms']['subscriptions']['4321']
        self.assertEqual(subscription['deliveryReportUrl'], gateway._ddcpts_event_url('delivery'))
        self.sandbox_rule(path='/v3/sms/messages/sms/outbound',
                          result={'delivery': {'+233241234568': 'DeliveryImpossible'}})
        sms = self.send(['+233241234567', '+233241234568'])
        outbound = self.sandbox_requests('/v3/sms/messages/sms/outbound')
        self.assertEqual(len(outbound), 1)
        self.assertEqual(outbound[0]['json']['receiverAddress'], ['+233241234567', '+233241234568'])
        self.assertEqual(len(self.sandbox_requests('/v1/oauth/access_token')), 1, "the token is cached")
        self.sandbox_deliver_callbacks(2)
        self.assertEqual(self.messages_of(sms).sorted('number').mapped('state'), ['delivered', 'failed'])
        unknown_shape = self.post_body(self.callback_path(gateway, 'delivery'), json.dumps({'hello': 'world'}))
        self.assertEqual(unknown_shape.status_code, 200, "an unknown receipt is kept raw and changes nothing")
        self.assertEqual(self.post_body(self.callback_path(gateway, 'delivery'), 'not json').status_code, 400)
