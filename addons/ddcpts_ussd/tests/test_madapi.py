"""MTN MADAPI "Messaging USSD API" v1: the swagger's own examples (docs/providers/ussd.md), verbatim."""
import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import sandbox_url

from .common import CALLER, UssdCase

# MTN's swagger "MTN Messaging USSD API" 1.0.0, examples verbatim
INBOUND_REQUEST = {"sessionId": "01235", "messageType": "0", "msisdn": "2252312345", "serviceCode": "321123",
                   "ussdString": "Please vote for xxx."}
SUBSCRIPTION_RESPONSE = {"data": {"subscriptionId": "123-xyz-456"}, "statusCode": "0000", "statusMessage": "Created",
                         "transactionId": "xyz-0hij0hjh0-9y6",
                         "_link": {"self": {"href": "https://api.mtn.com/v1/messages/ussd/send"}}}
OUTBOUND_RESPONSE = {"statusCode": "0000", "statusMessage": "", "transactionId": "",
                     "data": {"outboundResponse": "0000", "sessionId": "01235", "msisdn": "2341234567"},
                     "_link": {"self": {"href": "https://api.mtn.com/v1/messages/ussd/send"}}}
ERROR = {"statusCode": "3001", "statusMessage": "A system error has occured", "supportMessage": "400 Bad Request",
         "transactionId": "xyz-t960-tuy", "timestamp": "2020-08-01T12:34", "path": "https://api.mtn.com/v1/<path>",
         "method": "POST"}
ROOT = "Welcome to Umoja Traders\n1. My account\n2. My phone number\n3. Last payment\n4. My PIN"
OUTBOUND = '/v1/messages/ussd/outbound'
SUBSCRIPTION = '/v1/messages/ussd/subscription'


@tagged('post_install', '-at_install')
class TestMadapi(UssdCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.madapi = cls.env['ddcpts.ussd.service'].create({
            'name': "MTN MADAPI", 'service_code': '321123', 'gateway_format': 'mtn_madapi', 'root_menu': 'demo',
            'madapi_api_key': 'madapi-test-key', 'madapi_target_system': 'AYO',
        })

    def setUp(self):
        super().setUp()
        self.madapi.write({'ddcpts_public_url': self.base_url(), 'madapi_url': f'{sandbox_url()}/v1'})
        self.madapi_path = self.madapi._ddcpts_ussd_callback_url().removeprefix(self.base_url())

    def post_message(self, **values):
        response = self.post_raw(json.dumps({**INBOUND_REQUEST, **values}), 'application/json', path=self.madapi_path)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def madapi_session(self):
        return self.env['ddcpts.ussd.session'].search([('service_id', '=', self.madapi.id),
                                                       ('session_ref', '=', '01235')])

    def test_begin_message_is_answered_through_the_outbound_api(self):
        self.assertEqual(self.post_message(), {'statusCode': '0000', 'statusMessage': 'Accepted'})
        [outbound] = self.sandbox_requests(OUTBOUND)
        self.assertEqual(outbound['json'], {'sessionId': '01235', 'messageType': '1', 'msisdn': '2252312345',
                                            'serviceCode': '321123', 'ussdString': ROOT})
        self.assertEqual(outbound['headers'].get('X-Api-Key') or outbound['headers'].get('x-api-key'),
                         'madapi-test-key')
        session = self.madapi_session()
        self.assertEqual((session.phone, session.gateway_format, session.state, session.inputs),
                         ('+2252312345', 'mtn_madapi', 'active', ''), "the Begin's ussdString is no input")

    def test_continue_with_network_details_then_end_screen(self):
        self.post_message()
        # the network details of the swagger's InboundRequest; messageType as a number, as MADAPI's answers have it
        self.post_message(messageType=1, ussdString='2', cellId='62130-1234', language='en', imsi='620011234567890')
        outbound = self.sandbox_requests(OUTBOUND)[-1]['json']
        self.assertEqual((outbound['messageType'], outbound['ussdString']), ('2', "Your number is +2252312345."))
        session = self.madapi_session()
        self.assertEqual((session.state, session.outcome, session.inputs), ('ended', 'success', '2'))

    def test_pin_sent_as_a_number_is_masked(self):
        """The inputs may come as JSON numbers (the schema accepts them): a PIN typed so is masked too."""
        self.env['ddcpts.ussd.pin']._ddcpts_store_hash(self.caller, self.company,
                                                       self.env['ddcpts.ussd.pin']._ddcpts_hash('4821'))
        for message_type, ussd_string in (('0', '321123'), ('1', 1), ('1', 4821)):
            self.post_message(msisdn=CALLER[1:], messageType=message_type, ussdString=ussd_string)
        self.assertIn("Balance due", self.sandbox_requests(OUTBOUND)[-1]['json']['ussdString'])
        bodies = self.env['ddcpts.callback'].search([('provider_res_id', '=', self.madapi.id),
                                                     ('provider_model', '=', 'ddcpts.ussd.service')]).mapped('body')
        self.assertEqual(len(bodies), 3)
        self.assertFalse([body for body in bodies if '4821' in body], "no PIN in a stored body")

    def test_closing_messages(self):
        for message_type, outcome, error in (('2', 'incomplete', False), ('4', 'incomplete', "User aborted"),
                                             ('5', 'timeout', False)):
            with self.subTest(message_type=message_type):
                self.post_message(sessionId=f'C{message_type}')
                self.post_message(sessionId=f'C{message_type}', messageType=message_type, ussdString=error or '')
                session = self.env['ddcpts.ussd.session'].search([('session_ref', '=', f'C{message_type}')])
                self.assertEqual((session.state, session.outcome, session.gateway_error), ('ended', outcome, error))
                self.assertEqual(len(self.sandbox_requests(OUTBOUND)), 1, "a closing message gets no screen")
                self.sandbox_reset()

    def test_notification_changes_nothing(self):
        self.post_message()
        self.post_message(messageType='3', ussdString='Your bundle expires soon')
        self.assertEqual(self.madapi_session().state, 'active')
        self.assertEqual(len(self.sandbox_requests(OUTBOUND)), 1)

    def test_unknown_message_type_is_refused_and_stored(self):
        self.post_message(messageType='7')
        callback = self.env['ddcpts.callback'].search([('provider_res_id', '=', self.madapi.id),
                                                       ('provider_model', '=', 'ddcpts.ussd.service')])
        self.assertEqual(callback.state, 'failed')
        self.assertIn('messageType', callback.error)
        self.assertFalse(self.madapi_session())
        self.assertFalse(self.sandbox_requests(OUTBOUND))

    def test_outbound_accepted_with_the_swagger_answer(self):
        self.sandbox_rule(method='POST', path=OUTBOUND, status=201, body=OUTBOUND_RESPONSE)
        self.post_message()
        self.assertEqual(self.madapi_session().state, 'active')

    def test_outbound_refused_ends_the_session_as_failed(self):
        self.sandbox_rule(method='POST', path=OUTBOUND, status=400, body=ERROR)
        self.post_message()
        session = self.madapi_session()
        self.assertEqual((session.state, session.outcome, session.gateway_error),
                         ('ended', 'failed', '3001 A system error has occured'))

    def test_subscription_with_the_swagger_answer(self):
        self.sandbox_rule(method='POST', path=SUBSCRIPTION, status=201, body=SUBSCRIPTION_RESPONSE)
        self.madapi.action_ddcpts_madapi_subscribe()
        self.assertEqual(self.madapi.madapi_subscription_id, '123-xyz-456')
        [request] = self.sandbox_requests(SUBSCRIPTION)
        self.assertEqual(request['json'], {'serviceCode': '321123', 'targetSystem': 'AYO',
                                           'callbackUrl': self.madapi._ddcpts_ussd_callback_url()})

    def test_subscription_refused_with_the_swagger_error(self):
        self.sandbox_rule(method='POST', path=SUBSCRIPTION, status=400, body=ERROR)
        with self.assertRaisesRegex(UserError, "HTTP 400.*3001 A system error has occured"):
            self.madapi.action_ddcpts_madapi_subscribe()
        self.assertFalse(self.madapi.madapi_subscription_id)

    def test_subscription_needs_the_target_system(self):
        self.madapi.madapi_target_system = False
        with self.assertRaisesRegex(UserError, "target system"):
            self.madapi.action_ddcpts_madapi_subscribe()
        self.assertFalse(self.sandbox_requests(SUBSCRIPTION))

    def test_unsubscription(self):
        self.madapi.action_ddcpts_madapi_subscribe()
        subscription = self.madapi.madapi_subscription_id
        self.madapi.action_ddcpts_madapi_unsubscribe()
        self.assertFalse(self.madapi.madapi_subscription_id)
        [request] = self.sandbox_requests(f'{SUBSCRIPTION}/')
        self.assertEqual((request['method'], request['path']), ('DELETE', f'{SUBSCRIPTION}/{subscription}'))
