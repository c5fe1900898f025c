from urllib.parse import parse_qs

from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsCase
from odoo.addons.ddcpts_sms.tests.common import AT_SEND_PATH, SmsGatewayMixin


@tagged('post_install', '-at_install')
class TestFailover(SmsGatewayMixin, DdcptsCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gateway.priority = 1
        cls.backup = cls.create_gateway(name="AT backup", username='backup', priority=2)

    def usernames_called(self):
        return [parse_qs(request['body'])['username'][0] for request in self.at_send_requests()]

    def assert_sent_by(self, sms, gateway):
        self.assertEqual(set(sms.mapped('state')), {'pending'})
        self.assertEqual(self.messages_of(sms).gateway_id, gateway)

    def test_server_error_sends_the_batch_through_the_next_gateway(self):
        self.sandbox_rule(path=AT_SEND_PATH, status=503)
        sms = self.create_sms(['+254701000001', '+254701000002'])
        sms.send()
        self.assertEqual(self.usernames_called(), ['sandbox', 'backup'])
        self.assert_sent_by(sms, self.backup)

    def test_timeout_fails_over(self):
        self.gateway.timeout = 1
        self.sandbox_rule(path=AT_SEND_PATH, delay_ms=2500)
        sms = self.create_sms(['+254701000001'])
        sms.send()
        self.assert_sent_by(sms, self.backup)
        failed_call = self.env['ddcpts.provider.call'].search([('res_id', '=', self.gateway.id),
                                                               ('res_model', '=', 'ddcpts.sms.gateway')])
        self.assertRecordValues(failed_call, [{'status_code': 0, 'attempt': 1}])

    def test_a_gateway_without_credentials_fails_over(self):
        self.gateway.api_key = False
        sms = self.create_sms(['+254701000001'])
        sms.send()
        self.assertEqual(self.usernames_called(), ['backup'])
        self.assert_sent_by(sms, self.backup)

    def test_refused_credentials_fail_over(self):
        self.sandbox_rule(path=AT_SEND_PATH, status=401, body="The supplied authentication is invalid")
        sms = self.create_sms(['+254701000001'])
        sms.send()
        self.assert_sent_by(sms, self.backup)

    def test_a_failed_gateway_is_not_waited_for_again_in_the_same_run(self):
        (self.gateway | self.backup).recipients_per_request = 2
        self.sandbox_rule(path=AT_SEND_PATH, status=502)
        sms = self.create_sms([f'+25470100000{index}' for index in range(6)])
        sms.send()
        self.assertEqual(self.usernames_called(), ['sandbox', 'backup', 'backup', 'backup'])
        self.assert_sent_by(sms, self.backup)

    def test_permanent_number_errors_are_not_sent_elsewhere(self):
        self.sandbox_rule(path=AT_SEND_PATH, result={'status_codes': {'+254701000009': 403, '+254701000008': 406}})
        sms = self.create_sms(['+254701000009', '+254701000008', '+254701000001'])
        sms.send()
        self.assertEqual(self.usernames_called(), ['sandbox'])
        self.assertEqual(sms.mapped('failure_type'), ['sms_number_format', 'sms_blacklist', False])

    def test_gateway_refusals_of_a_number_go_to_the_next_gateway(self):
        self.sandbox_rule(path=AT_SEND_PATH, result={'status_codes': {'+254701000009': 405}})
        sms = self.create_sms(['+254701000009', '+254701000001'])
        sms.send()
        requests = self.at_send_requests()
        self.assertEqual(self.usernames_called(), ['sandbox', 'backup'])
        self.assertEqual(parse_qs(requests[1]['body'])['to'], ['+254701000009'],
                         "only the number refused for lack of balance is sent again")
        self.assertEqual(set(sms.mapped('state')), {'pending'})
        self.assertEqual({message.number: message.gateway_id for message in self.messages_of(sms)},
                         {'+254701000009': self.backup, '+254701000001': self.gateway})

    def test_every_gateway_down(self):
        self.sandbox_rule(path=AT_SEND_PATH, status=503, times=2)
        sms = self.create_sms(['+254701000001'])
        sms.send()
        self.assertRecordValues(sms, [{'state': 'error', 'failure_type': 'sms_server'}])
        reason = self.messages_of(sms).failure_reason
        self.assertIn("AT primary", reason)
        self.assertIn("AT backup", reason)
        self.sandbox_rule(path=AT_SEND_PATH, status=503, times=2)
        with self.assertRaisesRegex(Exception, "No SMS gateway could send the SMS"):
            self.create_sms(['+254701000002']).send(raise_exception=True)

    def test_country_and_prefix_routing(self):
        self.gateway.number_prefixes = '+25470'
        self.backup.country_ids = self.env.ref('base.gh')
        sms = self.create_sms(['+254701000001', '+233241234567', '+254711000001'])
        sms.send()
        by_username = {parse_qs(request['body'])['username'][0]: parse_qs(request['body'])['to'][0]
                       for request in self.at_send_requests()}
        self.assertEqual(by_username, {'sandbox': '+254701000001', 'backup': '+233241234567'})
        self.assertEqual(sms.mapped('failure_type'), [False, False, 'sms_country_not_supported'])
        with self.assertRaisesRegex(Exception, "not an international number prefix"):
            self.gateway.number_prefixes = '+25470, Safaricom'
