import json

from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase
from odoo.addons.ddcpts_sms.tests.common import AT_SEND_PATH, SmsCallbackMixin, SmsGatewayMixin

NUMBER = '+254722000111'


@tagged('post_install', '-at_install')
class TestIncomingAndOptOuts(SmsCallbackMixin, SmsGatewayMixin, DdcptsHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gateway.sender_id = 'DDCPTS'
        cls.partner = cls.env['res.partner'].create({'name': "Otieno Ouma", 'mobile': '0722 000 111'})
        cls.Blacklist = cls.env['phone.blacklist']
        cls.Incoming = cls.env['ddcpts.sms.incoming']

    def setUp(self):
        super().setUp()
        self.configure_at_dashboard(self.gateway)

    def notes(self):
        return self.partner.message_ids.filtered(lambda message: 'SMS blacklist' in (message.body or ''))

    def test_stop_message_blacklists_the_number_and_notes_the_partner(self):
        self.simulate('/africastalking/simulate/incoming', {
            'username': 'sandbox', 'from': NUMBER, 'to': '20880', 'text': 'Stop', 'linkId': 'link-1'})
        callback = self.sandbox_deliver_callbacks(1)[0]
        self.assertEqual(callback['response_status'], 200)
        self.assertTrue(self.Blacklist.search([('number', '=', NUMBER)]))
        incoming = self.Incoming.search([('number', '=', NUMBER)])
        self.assertRecordValues(incoming, [{'kind': 'message', 'text': 'Stop', 'recipient': '20880', 'opted_out': True,
                                            'link_id': 'link-1', 'partner_ids': self.partner.ids}])
        self.assertTrue(incoming.provider_message_id.startswith('ATXid_'))
        self.assertEqual(len(self.notes()), 1)

        # a mass SMS now skips the number (core's blacklist handling)
        composer = self.env['sms.composer'].with_context(
            default_res_model='res.partner', default_res_ids=self.partner.ids, default_composition_mode='mass',
        ).create({'body': "Promotion", 'mass_force_send': True})
        composer.action_send_sms()
        self.assertFalse(self.sandbox_requests(AT_SEND_PATH))

    def test_other_messages_are_posted_on_the_partner(self):
        self.simulate('/africastalking/simulate/incoming', {
            'username': 'sandbox', 'from': NUMBER, 'to': '20880', 'text': 'Please stop by tomorrow'})
        self.sandbox_deliver_callbacks(1)
        self.assertFalse(self.Blacklist.search([('number', '=', NUMBER)]))
        posted = self.partner.message_ids.filtered(lambda message: message.message_type == 'sms')
        self.assertEqual(posted.body, '<p>Please stop by tomorrow</p>')
        self.assertEqual(posted.author_id, self.partner)

    def test_bulk_opt_out_blacklists_once(self):
        self.simulate('/africastalking/simulate/optout', {
            'username': 'sandbox', 'senderId': 'DDCPTS', 'phoneNumber': NUMBER})
        self.sandbox_deliver_callbacks(1)
        self.assertTrue(self.Blacklist.search([('number', '=', NUMBER)]))
        self.assertRecordValues(self.Incoming.search([('number', '=', NUMBER)]), [{
            'kind': 'optout', 'recipient': 'DDCPTS', 'opted_out': True}])
        replay = self.post_form(self.callback_path(self.gateway, 'optout'),
                                {'senderId': 'DDCPTS', 'phoneNumber': NUMBER})
        self.assertEqual(replay.status_code, 200)
        self.assertEqual(self.last_callback().state, 'duplicate')
        self.assertEqual(len(self.notes()), 1)
        # the simulator now refuses the number for this sender, as Africa's Talking does
        sms = self.env['sms.sms'].create({'number': NUMBER, 'body': "Hello"})
        sms.send()
        self.assertRecordValues(sms, [{'state': 'error', 'failure_type': 'sms_blacklist'}])

    def test_replayed_incoming_message_is_recorded_once(self):
        body = {'date': '2025-05-01 10:00:00', 'from': NUMBER, 'id': 'ATXid_in1', 'linkId': 'l1', 'text': 'STOP',
                'to': '20880', 'networkCode': '63902', 'cost': 'KES 0.0000'}
        path = self.callback_path(self.gateway, 'incoming')
        self.assertEqual(self.post_form(path, body).status_code, 200)
        self.assertEqual(self.post_form(path, body).status_code, 200)
        self.assertEqual(self.last_callback().state, 'duplicate')
        self.assertEqual(self.Incoming.search_count([('provider_message_id', '=', 'ATXid_in1')]), 1)
        self.assertEqual(len(self.notes()), 1)

    def test_mtn_incoming_stop(self):
        mtn = self.create_gateway('mtn', sender_id='DDCPTS')
        ghana_partner = self.env['res.partner'].create({
            'name': "Kwame Mensah", 'mobile': '024 123 4567', 'country_id': self.env.ref('base.gh').id})
        path = self.callback_path(mtn, 'incoming')
        body = json.dumps({'senderAddress': 'tel:+233241234567', 'receiverAddress': '4321', 'message': 'STOP',
                           'created': '2025-05-01T10:00:00Z'})
        self.assertEqual(self.post_body(path, body).status_code, 200)
        self.assertTrue(self.Blacklist.search([('number', '=', '+233241234567')]))
        self.assertRecordValues(self.Incoming.search([('gateway_id', '=', mtn.id)]), [{
            'number': '+233241234567', 'recipient': '4321', 'opted_out': True, 'partner_ids': ghana_partner.ids}])
        self.assertEqual(self.post_body(path, 'STOP').status_code, 400, "not JSON")

    def test_malformed_and_unauthenticated_callbacks(self):
        incoming, optout = self.callback_path(self.gateway, 'incoming'), self.callback_path(self.gateway, 'optout')
        self.assertEqual(self.post_form(incoming, {'text': 'STOP'}).status_code, 400)
        self.assertEqual(self.post_form(optout, {'senderId': 'DDCPTS'}).status_code, 400)
        forged = self.post_form(self.callback_path(self.gateway, 'optout', token='x' * 43),
                                {'senderId': 'DDCPTS', 'phoneNumber': NUMBER})
        self.assertEqual(forged.status_code, 403)
        self.assertFalse(self.Blacklist.search([('number', '=', NUMBER)]))
