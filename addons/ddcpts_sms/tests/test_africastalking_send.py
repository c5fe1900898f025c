from urllib.parse import parse_qs

from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsCase
from odoo.addons.ddcpts_sms.tests.common import (
    AT_DND_RESPONSE,
    AT_SEND_PATH,
    AT_SUCCESS_RESPONSE,
    SmsGatewayMixin,
)
from odoo.addons.sms.tools.sms_api import SmsApi


@tagged('post_install', '-at_install')
class TestAfricasTalkingSend(SmsGatewayMixin, DdcptsCase):

    def test_verbatim_answers_map_to_sms_states(self):
        self.sandbox_rule(path=AT_SEND_PATH, status=201, body=AT_SUCCESS_RESPONSE)
        delivered = self.create_sms(['+254701000001'])
        delivered.send()
        self.assertRecordValues(delivered, [{'state': 'pending', 'failure_type': False, 'to_delete': True}])
        self.assertRecordValues(self.messages_of(delivered), [{
            'gateway_id': self.gateway.id, 'number': '+254701000001', 'state': 'sent',
            'provider_message_id': 'ATXid_081365ccc485678b5c0413e1795ab53e', 'provider_status': 'Success',
            'segments': 1, 'encoding': 'gsm7', 'cost': 0.8, 'currency_id': self.env.ref('base.KES').id,
        }])

        self.sandbox_rule(path=AT_SEND_PATH, status=201, body=AT_DND_RESPONSE)
        refused = self.create_sms(['+2348000000001'])
        refused.send()
        self.assertRecordValues(refused, [{'state': 'error', 'failure_type': 'sms_optout'}])
        self.assertRecordValues(self.messages_of(refused), [{
            'state': 'failed', 'provider_message_id': False, 'failure_type': 'sms_optout',
            'failure_reason': 'DoNotDisturbRejection (409)', 'cost': 0.0,
        }])

    def test_one_request_per_text_and_batch(self):
        numbers = [f'+2547010{index:05d}' for index in range(1000)]
        sms = self.create_sms(numbers)
        sms.send()
        requests = self.at_send_requests()
        self.assertEqual(len(requests), 2, "1 000 recipients of one text: two bulk requests of 500 (the SMS batch)")
        sent_to = [number for request in requests for number in parse_qs(request['body'])['to'][0].split(',')]
        self.assertEqual(sorted(sent_to), numbers)
        form = parse_qs(requests[0]['body'])
        self.assertEqual((form['username'], form['bulkSMSMode'], form['message']),
                         (['sandbox'], ['1'], ['Your order is ready.']))
        self.assertEqual(set(sms.mapped('state')), {'pending'})
        messages = self.messages_of(sms)
        self.assertEqual(len(messages), 1000)
        self.assertEqual(len(set(messages.mapped('provider_message_id'))), 1000)

        other_text = self.create_sms(['+254701000001', '+254701000002'], body="Another text")
        (other_text | self.create_sms(['+254701000003'], body="A third text")).send()
        self.assertEqual(len(self.at_send_requests()), 4, "one more request per distinct text")

    def test_queries_do_not_grow_with_the_batch(self):
        def queries_to_send(numbers):
            sms = self.create_sms(numbers)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            sms.send()
            self.assertEqual(set(sms.mapped('state')), {'pending'})
            return self.env.cr.sql_log_count - before

        small = queries_to_send([f'+2547020{index:05d}' for index in range(5)])
        large = queries_to_send([f'+2547021{index:05d}' for index in range(300)])
        self.assertLess(large - small, 20, f"{small} queries for 5 SMS, {large} for 300")

    def test_composer_mass_mode(self):
        partners = self.env['res.partner'].create([
            {'name': f"Member {index}", 'mobile': f'07010000{index:02d}'} for index in range(3)
        ] + [{'name': "Member without number"}])
        composer = self.env['sms.composer'].with_context(
            default_res_model='res.partner', default_res_ids=partners.ids, default_composition_mode='mass',
        ).create({'body': "AGM on Saturday at 10am.", 'mass_force_send': True, 'mass_keep_log': True})
        composer.action_send_sms()
        requests = self.at_send_requests()
        self.assertEqual(len(requests), 1)
        self.assertEqual(parse_qs(requests[0]['body'])['to'], ['+254701000000,+254701000001,+254701000002'])
        sms = self.env['sms.sms'].search([('partner_id', 'in', partners.ids)])
        self.assertEqual(sorted(sms.mapped('state')), ['canceled', 'pending', 'pending', 'pending'])
        self.assertEqual(len(self.messages_of(sms)), 3)

    def test_calls_are_logged_with_the_key_masked(self):
        self.create_sms(['+254701000001']).send()
        call = self.env['ddcpts.provider.call'].search(
            [('res_model', '=', 'ddcpts.sms.gateway'), ('res_id', '=', self.gateway.id)], limit=1)
        self.assertRecordValues(call, [{'provider': 'africastalking', 'endpoint': 'sms_send', 'status_code': 201,
                                        'success': True}])
        self.assertNotIn('atsk-test-key', call.request_headers + call.request_body + call.response_body)
        self.assertIn('"apiKey": "***"', call.request_headers)
        sent_headers = {name.lower(): value for name, value in self.at_send_requests()[0]['headers'].items()}
        self.assertEqual(sent_headers['apikey'], 'atsk-test-key')

    def test_status_code_table(self):
        codes = {
            '+254701000100': 100, '+254701000101': 101, '+254701000102': 102, '+254701000403': 403,
            '+254701000404': 404, '+254701000406': 406, '+254701000407': 407, '+254701000409': 409,
            '+254701000502': 502, '+254701000405': 405, '+254701000500': 500,
        }
        self.sandbox_rule(path=AT_SEND_PATH, result={'status_codes': codes})
        sms = self.create_sms(list(codes))
        sms.send()
        expected = {
            100: ('pending', False), 101: ('pending', False), 102: ('pending', False),
            403: ('error', 'sms_number_format'), 404: ('error', 'sms_number_format'),
            406: ('error', 'sms_blacklist'), 407: ('error', 'sms_country_not_supported'),
            409: ('error', 'sms_optout'), 502: ('error', 'unknown'),
            405: ('error', 'sms_credit'), 500: ('error', 'sms_server'),
        }
        for record in sms:
            with self.subTest(code=codes[record.number]):
                self.assertEqual((record.state, record.failure_type), expected[codes[record.number]])
        self.assertEqual(len(self.at_send_requests()), 1, "no other gateway: nothing is sent again")

    def test_numbers_are_checked_before_sending(self):
        sms = self.create_sms([False, '12', '0712 345 678'])
        sms.send()
        self.assertEqual([(record.state, record.failure_type) for record in sms], [
            ('error', 'sms_number_missing'), ('error', 'sms_number_format'), ('pending', False),
        ])
        form = parse_qs(self.at_send_requests()[0]['body'])
        self.assertEqual(form['to'], ['+254712345678'], "local numbers take the company's country")

    def test_segments_and_encoding_are_recorded(self):
        sms = self.create_sms(['+254701000001'], body="Habari 😀 " + "x" * 70) \
            | self.create_sms(['+254701000002'], body="{" * 81)
        sms.send()
        unicode_message, gsm_message = self.messages_of(sms).sorted('number')
        self.assertRecordValues(unicode_message | gsm_message, [
            {'encoding': 'ucs2', 'segments': 2, 'cost': 1.6},
            {'encoding': 'gsm7', 'segments': 2, 'cost': 1.6},
        ])

    def test_sender_id_and_queueing_options(self):
        self.gateway.write({'sender_id': 'DDCPTS', 'africastalking_enqueue': True})
        self.create_sms(['+254701000001']).send()
        form = parse_qs(self.at_send_requests()[0]['body'])
        self.assertEqual((form['from'], form['enqueue']), (['DDCPTS'], ['1']))

    def test_batch_level_refusal_leaves_the_sms_in_error(self):
        self.sandbox_rule(path=AT_SEND_PATH, result={'reject': 'InvalidSenderId'})
        sms = self.create_sms(['+254701000001'])
        sms.send()
        self.assertRecordValues(sms, [{'state': 'error', 'failure_type': 'sms_server'}])
        self.assertIn('InvalidSenderId', self.messages_of(sms).failure_reason)

    def test_without_active_gateway_core_iap_is_used(self):
        self.gateway.action_archive()
        sms = self.create_sms(['+254701000001'])
        sms.send()
        self.assertFalse(self.at_send_requests())
        self.assertRecordValues(sms, [{'state': 'error', 'failure_type': 'sms_server'}])
        self.assertFalse(self.messages_of(sms), "IAP (unreachable in tests) was tried, not a gateway")

    def test_gateways_of_another_company_are_not_used(self):
        other_company = self.env['res.company'].create({'name': "Other Company"})
        self.gateway.company_id = other_company
        sms = self.create_sms(['+254701000001'])
        sms.send()
        self.assertFalse(self.at_send_requests())
        self.gateway.company_id = False
        self.create_sms(['+254701000001']).send()
        self.assertEqual(len(self.at_send_requests()), 1, "a gateway without company serves every company")

    def test_callers_of_the_iap_client_reach_the_gateways(self):
        """SMS marketing's "Test" wizard creates ``sms.sms`` rows and hands them to ``SmsApi`` itself."""
        sms = self.create_sms(['+254701000001', '12'], body="Test of the mailing")
        results = SmsApi(self.env)._send_sms_batch([{
            'content': "Test of the mailing",
            'numbers': [{'number': record.number, 'uuid': record.uuid} for record in sms],
        }], delivery_reports_url='https://erp.example.co.ke/sms/status')
        self.assertEqual(sorted((result['res_id'], result['state']) for result in results),
                         [('+254701000001', 'success'), ('12', 'wrong_number_format')])
        self.assertEqual(parse_qs(self.at_send_requests()[0]['body'])['to'], ['+254701000001'])
        self.assertEqual(sms.mapped('state'), ['pending', 'error'], "not left in the queue, to be sent again")
        self.assertEqual(self.messages_of(sms).provider_message_id[:6], 'ATXid_')

    def test_queued_sms_trigger_the_queue(self):
        cron = self.env.ref('sms.ir_cron_sms_scheduler_action')
        triggers = self.env['ir.cron.trigger'].search_count([('cron_id', '=', cron.id)])
        sms = self.create_sms(['+254701000001'])
        self.assertEqual(self.env['ir.cron.trigger'].search_count([('cron_id', '=', cron.id)]), triggers + 1)
        self.env['sms.sms']._process_queue()
        self.assertTrue(sms.to_delete)
        self.assertEqual(sms.state, 'pending')
