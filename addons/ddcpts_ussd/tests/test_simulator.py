import requests

from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import sandbox_url
from odoo.addons.ddcpts_ussd.const import PIN_MASK

from .common import CALLER, UssdCase

PIN = '2580'


@tagged('post_install', '-at_install')
class TestSimulatedGateways(UssdCase):
    """The simulator plays the phone and the gateway against the real route."""

    def play(self, gateway_format, inputs, **extra):
        self.env.flush_all()  # the simulator calls the server, which reads the database
        response = requests.post(f'{sandbox_url()}/ussd/simulate/dialogue', json={
            'format': gateway_format, 'url': self.service._ddcpts_ussd_callback_url(), 'phoneNumber': CALLER,
            'serviceCode': self.service.service_code, 'inputs': inputs, **extra,
        }, timeout=120)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def test_africastalking_dialogue_with_end_notification(self):
        self.set_pin(PIN)
        played = self.play('africastalking', ['9', '1', PIN], end_notification=True)
        self.assertEqual(played['screens'][1:], [
            "Invalid choice.\n" + played['screens'][0], "Enter your PIN\n0. Back",
            f"Akinyi Otieno\nRef: C-7\nBalance due: {self.company.currency_id.name} 0.00",
        ])
        self.assertEqual((played['ended'], played['status']), (True, 'Success'))
        session = self.session_of(played['sessionId'])
        self.assertEqual((session.state, session.outcome, session.gateway_status, session.inputs),
                         ('ended', 'success', 'Success', f'9*1*{PIN_MASK}'))
        notification = self.callbacks_of(played['sessionId']).filtered(lambda callback: 'status=' in callback.body)
        self.assertEqual(notification.state, 'processed')
        self.assertNotIn(PIN, notification.body)

    def test_abandoned_dialogue_is_incomplete(self):
        played = self.play('africastalking', ['4'], end_notification=True)
        self.assertEqual((played['ended'], played['status']), (False, 'Incomplete'))
        session = self.session_of(played['sessionId'])
        self.assertEqual((session.state, session.outcome), ('ended', 'incomplete'))

    def test_mtn_aggregator_dialogue(self):
        played = self.play('mtn_json', ['2'])
        self.assertEqual(played['screens'][1], f"Your number is {CALLER}.")
        self.assertEqual(self.session_of(played['sessionId']).gateway_format, 'mtn_json')

    def test_mtn_madapi_subscription_and_dialogue(self):
        self.service.write({'gateway_format': 'mtn_madapi', 'madapi_url': f'{sandbox_url()}/v1',
                            'madapi_api_key': 'madapi-test-key', 'madapi_target_system': 'DDCPTS'})
        self.service.action_ddcpts_madapi_subscribe()
        self.assertTrue(self.service.madapi_subscription_id)
        subscription = self.sandbox_requests('/v1/messages/ussd/subscription')[0]
        self.assertEqual(subscription['json'], {'serviceCode': self.service.service_code, 'targetSystem': 'DDCPTS',
                                                'callbackUrl': self.service._ddcpts_ussd_callback_url()})
        self.assertEqual(subscription['headers'].get('X-Api-Key') or subscription['headers'].get('x-api-key'),
                         'madapi-test-key')
        played = self.play('mtn_madapi', ['4', PIN, PIN])
        self.assertEqual(played['screens'][1:], ["Enter a new PIN of 4 digits\n0. Back",
                                                 "Enter the new PIN again\n0. Back",
                                                 "Your PIN is saved. Keep it secret."])
        session = self.session_of(played['sessionId'])
        self.assertEqual((session.gateway_format, session.state, session.inputs),
                         ('mtn_madapi', 'ended', '*'.join(['4', PIN_MASK, PIN_MASK])))
        self.assertFalse([body for body in self.callbacks_of(played['sessionId']).mapped('body') if PIN in body])
        outbound = self.sandbox_requests('/v1/messages/ussd/outbound')
        self.assertEqual([request['json']['messageType'] for request in outbound], ['1', '1', '1', '2'])
        pin = self.env['ddcpts.ussd.pin']._ddcpts_for(self.caller, self.company)
        self.assertTrue(pin._ddcpts_matches(PIN, pin.pin_hash), "set through two MADAPI messages")
        abandoned = self.play('mtn_madapi', ['1'], end_notification=True)
        self.assertEqual(abandoned['status'], 'Incomplete')
        session = self.session_of(abandoned['sessionId'])
        self.assertEqual((session.state, session.outcome, session.gateway_status), ('ended', 'incomplete', 'Cancel'))
