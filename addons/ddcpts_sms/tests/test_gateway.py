from odoo.exceptions import ValidationError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsCase
from odoo.addons.ddcpts_sms.tests.common import AT_SEND_PATH, SmsGatewayMixin
from odoo.addons.ddcpts_sms.tools.sms_length import sms_length


@tagged('post_install', '-at_install')
class TestGateway(SmsGatewayMixin, DdcptsCase):

    def test_health_check_reads_the_balance(self):
        self.sandbox_rule(path='/version1/user', result={'balance': 'KES 42.5000'})
        action = self.gateway.action_ddcpts_check_health()
        self.assertEqual(action['params']['type'], 'success')
        self.assertEqual(self.gateway.balance, 'KES 42.5000')
        request = self.sandbox_requests('/version1/user')[0]
        self.assertEqual((request['method'], request['query']), ('GET', {'username': 'sandbox'}))
        status = self.env['ddcpts.health.status'].search([('res_model', '=', 'ddcpts.sms.gateway'),
                                                          ('res_id', '=', self.gateway.id)])
        self.assertEqual(status.state, 'ok')

        self.sandbox_rule(path='/version1/user', status=401, body="The supplied authentication is invalid")
        failed = self.gateway.action_ddcpts_check_health()
        self.assertEqual(failed['params']['type'], 'danger')
        self.assertIn("refused the credentials", failed['params']['message'])
        status.invalidate_recordset()
        self.assertEqual(status.state, 'failing')

    def test_send_test_sms(self):
        wizard = self.env['ddcpts.sms.gateway.test'].create({
            'gateway_id': self.gateway.id, 'number': '0701 000 001', 'body': "Test from Odoo"})
        self.assertEqual(wizard.segments, 1)
        result = wizard.action_send()
        self.assertEqual(result['params']['type'], 'success')
        self.assertIn('+254701000001', result['params']['message'])
        message = self.env['ddcpts.sms.message'].search([('gateway_id', '=', self.gateway.id)])
        self.assertRecordValues(message, [{'number': '+254701000001', 'state': 'sent', 'sms_uuid': False}])

        self.sandbox_rule(path=AT_SEND_PATH, result={'status_codes': {'+254701000001': 406}})
        refused = wizard.action_send()
        self.assertEqual(refused['params']['type'], 'warning')
        self.assertIn('UserInBlacklist', refused['params']['message'])

        self.sandbox_rule(path=AT_SEND_PATH, status=500)
        down = wizard.action_send()
        self.assertEqual(down['params']['type'], 'danger')
        with self.assertRaisesRegex(Exception, "not a valid phone number"):
            wizard.number = 'hello'
            wizard.action_send()

    def test_test_sms_reads_national_numbers_in_the_gateway_countries(self):
        """A Kenyan gateway of a company elsewhere (or with no country) still takes 07… numbers."""
        self.env.company.country_id = self.env.ref('base.us')
        self.gateway.country_ids = self.env.ref('base.ke')
        wizard = self.env['ddcpts.sms.gateway.test'].create({'gateway_id': self.gateway.id, 'number': '0701000001'})
        self.assertIn('+254701000001', wizard.action_send()['params']['message'])

    def test_callback_urls_and_settings(self):
        self.gateway.ddcpts_public_url = 'https://erp.example.co.ke'
        token = self.gateway._ddcpts_get_callback_token()
        prefix = f'https://erp.example.co.ke/ddcpts/sms/africastalking/{self.gateway.id}/{token}'
        self.assertEqual(
            (self.gateway.delivery_report_url, self.gateway.incoming_url, self.gateway.optout_url),
            (f'{prefix}/delivery', f'{prefix}/incoming', f'{prefix}/optout'),
        )
        twilio = self.create_gateway('twilio')
        self.assertEqual(twilio.recipients_per_request, 1)
        self.assertFalse(twilio.optout_url)
        with self.assertRaises(ValidationError):
            twilio.recipients_per_request = 10
        with self.assertRaisesRegex(Exception, "no credentials"):
            self.create_gateway('infobip', api_key=False)._ddcpts_credentials()

    def test_statistics_per_gateway_and_day(self):
        self.sandbox_rule(path=AT_SEND_PATH, result={'status_codes': {'+254701000009': 403}})
        sms = self.create_sms(['+254701000001', '+254701000002', '+254701000009'], body="x" * 200)
        sms.send()
        messages = self.messages_of(sms)
        report = self.env['ddcpts.sms.report'].search([('gateway_id', '=', self.gateway.id)])
        self.assertRecordValues(report, [{
            'sent_count': 2, 'delivered_count': 0, 'failed_count': 1, 'pending_count': 2, 'segments': 6,
            'cost': 3.2, 'currency_id': self.env.ref('base.KES').id, 'date': messages[0].sent_at.date(),
        }])

    def test_neutralization_deactivates_gateways(self):
        for query in get_neutralization_queries(['ddcpts_sms']):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(self.env['ddcpts.sms.gateway'].search([]))


@tagged('post_install', '-at_install')
class TestSmsLength(DdcptsCase):

    def test_gsm7_ucs2_and_extension_characters(self):
        cases = [
            ('', ('gsm7', 0, 1)),
            ('a' * 160, ('gsm7', 160, 1)),
            ('a' * 161, ('gsm7', 161, 2)),
            ('a' * 306, ('gsm7', 306, 2)),
            ('a' * 307, ('gsm7', 307, 3)),
            ('€' * 80, ('gsm7', 160, 1)),
            ('€' * 81, ('gsm7', 162, 2)),
            ('a' * 152 + '€', ('gsm7', 154, 1)),
            ('a' * 152 + '[' + 'a' * 10, ('gsm7', 164, 2)),
            ('a' * 152 + '[' + 'a' * 152, ('gsm7', 306, 3)),  # an escape is never split across parts
            ('é' * 160, ('gsm7', 160, 1)),
            ('ê' * 70, ('ucs2', 70, 1)),
            ('ê' * 71, ('ucs2', 71, 2)),
            ('😀' * 35, ('ucs2', 70, 1)),
            ('a' * 66 + '😀' + 'a' * 10, ('ucs2', 78, 2)),
            ('ê' * 66 + '😀' + 'ê' * 66, ('ucs2', 134, 3)),  # nor a surrogate pair
        ]
        for text, expected in cases:
            with self.subTest(text=text[:20], length=len(text)):
                self.assertEqual(tuple(sms_length(text)), expected)
