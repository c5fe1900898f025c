from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase
from odoo.addons.ddcpts_sms.tests.common import AT_FAILED_REPORT, AT_SEND_PATH, SmsCallbackMixin, SmsGatewayMixin

NUMBER = '+254711000002'


@tagged('post_install', '-at_install')
class TestAfricasTalkingDeliveryReports(SmsCallbackMixin, SmsGatewayMixin, DdcptsHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env['res.partner'].create({'name': "Wanjiku Kamau", 'mobile': '0711 000 002'})

    def send_from_chatter(self, message_id=None):
        """Post an SMS on the partner's chatter; return its notification (``message_id`` scripts AT's id)."""
        if message_id:
            self.sandbox_rule(path=AT_SEND_PATH, status=201, body={"SMSMessageData": {
                "Message": "Sent to 1/1 Total Cost: KES 0.8000",
                "Recipients": [{"cost": "KES 0.8000", "messageId": message_id, "messageParts": 1, "number": NUMBER,
                                "status": "Success", "statusCode": 101}]}})
        with self.request_env() as env:
            message = self.partner.with_env(env)._message_sms("Your invoice INV/2025/0001 is ready.",
                                                               partner_ids=self.partner.ids)
            notification_id = message.notification_ids.id
        notification = self.env['mail.notification'].browse(notification_id)
        self.assertRecordValues(notification, [{'notification_type': 'sms', 'notification_status': 'pending',
                                                'sms_number': NUMBER}])
        return notification

    def gateway_message(self, notification):
        return self.env['ddcpts.sms.message'].search([('sms_uuid', '=', notification.sms_tracker_ids.sms_uuid)])

    def test_verbatim_failed_report_updates_the_notification(self):
        notification = self.send_from_chatter(message_id='ATXid_a2')
        response = self.post_form(self.callback_path(self.gateway, 'delivery'), AT_FAILED_REPORT)
        self.assertEqual((response.status_code, response.text), (200, 'OK'))
        self.assertRecordValues(notification, [{
            'notification_status': 'bounce', 'failure_type': 'sms_not_allowed', 'failure_reason': 'UserInBlacklist',
        }])
        message = self.gateway_message(notification)
        self.assertRecordValues(message, [{'state': 'failed', 'failure_type': 'sms_not_allowed',
                                           'failure_reason': 'UserInBlacklist', 'network_code': '63902'}])
        self.assertRecordValues(self.last_callback(), [{
            'state': 'processed', 'provider': 'africastalking', 'reference': 'ATXid_a2', 'content_type': 'form',
            'related_model': 'ddcpts.sms.message', 'related_id': message.id,
        }])

    def test_success_report_from_the_simulator_marks_it_delivered(self):
        self.configure_at_dashboard(self.gateway)
        notification = self.send_from_chatter()
        callback = self.sandbox_deliver_callbacks(1)[0]
        self.assertEqual((callback['state'], callback['response_status']), ('delivered', 200))
        notification.invalidate_recordset()
        self.assertEqual(notification.notification_status, 'sent', "sent = Delivered on the chatter")
        self.assertRecordValues(self.gateway_message(notification), [{'state': 'delivered',
                                                                      'provider_status': 'Success'}])
        self.assertTrue(self.gateway_message(notification).delivered_at)

    def test_buffered_then_success(self):
        self.configure_at_dashboard(self.gateway)
        self.sandbox_rule(path=AT_SEND_PATH, result={'delivery': {NUMBER: ['Buffered']}})
        notification = self.send_from_chatter()
        self.sandbox_deliver_callbacks(1)
        message = self.gateway_message(notification)
        self.assertRecordValues(message, [{'state': 'buffered', 'provider_status': 'Buffered'}])
        self.assertEqual(notification.notification_status, 'pending', "the carrier still holds it")
        self.post_form(self.callback_path(self.gateway, 'delivery'), {
            'id': message.provider_message_id, 'status': 'Success', 'phoneNumber': NUMBER, 'networkCode': '63902',
            'retryCount': '1'})
        message.invalidate_recordset()
        notification.invalidate_recordset()
        self.assertEqual((message.state, notification.notification_status), ('delivered', 'sent'))

    def test_failure_reasons_of_the_simulator(self):
        self.configure_at_dashboard(self.gateway)
        self.sandbox_rule(path=AT_SEND_PATH, result={'delivery': {NUMBER: 'Failed:UserDoesNotExist'}})
        notification = self.send_from_chatter()
        self.sandbox_deliver_callbacks(1)
        notification.invalidate_recordset()
        self.assertRecordValues(notification, [{'notification_status': 'bounce',
                                                'failure_type': 'sms_invalid_destination',
                                                'failure_reason': 'UserDoesNotExist'}])

    def test_intermediate_and_final_statuses_of_africas_talking(self):
        notification = self.send_from_chatter(message_id='ATXid_a3')
        path = self.callback_path(self.gateway, 'delivery')
        for status in ('Sent', 'Submitted', 'Buffered', 'AbsentSubscriber'):
            with self.subTest(status=status):
                body = f'id=ATXid_a3&status={status}&phoneNumber=%2B254711000002&networkCode=63902&retryCount=1'
                self.assertEqual(self.post_form(path, body).status_code, 200)
                message = self.gateway_message(notification)
                self.assertRecordValues(message, [{'state': 'buffered', 'provider_status': status}])
                self.assertEqual(notification.notification_status, 'pending')
        rejected = self.post_form(path, 'id=ATXid_a3&status=Rejected&phoneNumber=%2B254711000002&networkCode=63902')
        self.assertEqual(rejected.status_code, 200)
        self.assertRecordValues(notification, [{'notification_status': 'bounce', 'failure_type': 'sms_rejected',
                                                'failure_reason': 'Rejected'}])
        self.assertRecordValues(self.gateway_message(notification), [{'state': 'failed',
                                                                      'failure_type': 'sms_rejected'}])

    def test_replays_change_nothing(self):
        notification = self.send_from_chatter(message_id='ATXid_a2')
        success = 'id=ATXid_a2&status=Success&phoneNumber=%2B254711000002&networkCode=63902&retryCount=0'
        path = self.callback_path(self.gateway, 'delivery')
        for _attempt in range(3):
            self.assertEqual(self.post_form(path, success).status_code, 200)
        late_failure = self.post_form(path, AT_FAILED_REPORT)
        self.assertEqual(late_failure.status_code, 200)
        states = self.env['ddcpts.callback'].search([('reference', '=', 'ATXid_a2')]).mapped('state')
        self.assertEqual(sorted(states), ['duplicate'] * 3 + ['processed'])
        self.assertEqual(notification.notification_status, 'sent')
        self.assertEqual(self.gateway_message(notification).state, 'delivered')

    def test_report_arriving_before_its_sms_is_recorded(self):
        path = self.callback_path(self.gateway, 'delivery')
        early = self.post_form(path, 'id=ATXid_early&status=Success&phoneNumber=%2B254711000002&networkCode=63902')
        self.assertEqual(early.status_code, 202, "not known yet: accepted and kept, applied once its SMS is recorded")
        callback = self.last_callback()
        self.assertRecordValues(callback, [{'state': 'failed', 'response_status': 202, 'attempt_count': 1}])
        self.assertIn("has the id ATXid_early (yet)", callback.error)
        self.env['ddcpts.sms.message']._cron_apply_early_reports()
        self.assertRecordValues(callback, [{'state': 'failed', 'attempt_count': 2}])

        notification = self.send_from_chatter(message_id='ATXid_early')
        self.env['ddcpts.sms.message']._cron_apply_early_reports()
        self.assertRecordValues(callback, [{'state': 'processed', 'response_status': 200, 'attempt_count': 3}])
        self.assertEqual(notification.notification_status, 'sent')

    def test_wrong_token_is_refused(self):
        notification = self.send_from_chatter(message_id='ATXid_a2')
        response = self.post_form(self.callback_path(self.gateway, 'delivery', token='forged'), AT_FAILED_REPORT)
        self.assertEqual(response.status_code, 403)
        self.assertRecordValues(self.last_callback(), [{'state': 'rejected', 'response_status': 403}])
        self.assertEqual(notification.notification_status, 'pending')

    def test_malformed_reports_get_a_4xx(self):
        notification = self.send_from_chatter(message_id='ATXid_a2')
        path = self.callback_path(self.gateway, 'delivery')
        for body, error in [('', "id: is missing"), ('status=Success', "id: is missing"),
                            ('id=ATXid_a2', "status: is missing"), ('id=&status=Success', "id: is empty"),
                            ('{"id": "ATXid_a2", "status": "Success"}', "id: is missing"),
                            ('id=ATXid_a2%00&status=Success', "id: contains a NUL or control character")]:
            with self.subTest(body=body):
                response = self.post_form(path, body)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json(), {'error': error})
                self.assertRecordValues(self.last_callback(), [{'state': 'failed', 'response_status': 400}])
        wrong_route = self.post_form(self.callback_path(self.gateway, 'delivery').replace('africastalking', 'infobip'),
                                     '{}')
        self.assertEqual(wrong_route.status_code, 404)
        self.assertEqual(notification.notification_status, 'pending')
