import json

from odoo.tests import tagged

from .common import UssdCase

POLITE_END = "END Sorry, this service cannot read your request. Please try again later."


@tagged('post_install', '-at_install')
class TestMalformedRequests(UssdCase):

    def test_unknown_service_code(self):
        self.assertEqual(self.at('', service_code='*999#'), "END This service code is not available.")
        callback = self.callbacks_of('ATUid_s1')
        self.assertEqual(callback.state, 'failed')
        self.assertIn('*999#', callback.error)

    def test_missing_field(self):
        response = self.post_raw('sessionId=ATUid_x&serviceCode=%2A384%2A11469%23&text=')
        self.assertEqual((response.status_code, response.text), (200, POLITE_END))
        callback = self.callbacks_of('ATUid_x')
        self.assertEqual((callback.state, callback.error), ('failed', 'phoneNumber: is missing'))

    def test_control_characters_and_garbage(self):
        self.assertEqual(self.post_raw('sessionId=ATUid_y&serviceCode=%2A384%2A11469%23&phoneNumber=%2B254700100299'
                                       '&text=1%00').text, POLITE_END)
        self.assertIn("CON Invalid choice.", self.at('%$#@!*&'))
        self.assertIn("CON Invalid choice.", self.at('1' * 300, session='ATUid_z'))

    def test_bad_json(self):
        response = self.post_raw('{"sessionId": ', 'application/json')
        self.assertEqual((response.status_code, response.text), (200, POLITE_END))
        response = self.post_raw(json.dumps({'sessionId': 'M-2', 'msisdn': ['2547'], 'serviceCode': '*384*11469#'}),
                                 'application/json')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()['continueSession'], False)
        self.assertEqual(response.json()['sessionId'], 'M-2')

    def test_wrong_token_is_refused(self):
        response = self.post_raw('sessionId=ATUid_t&serviceCode=%2A384%2A11469%23&phoneNumber=%2B254700100299&text=',
                                 path=self.path.rsplit('/', 1)[0] + '/wrong-token')
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.session_of('ATUid_t'))

    def test_another_phone_cannot_continue_a_session(self):
        self.at('')
        self.assertEqual(self.at('2', phone='+254711222333'), "END This session has ended. Please dial again.")
        self.assertEqual(self.session_of('ATUid_s1').phone, '+254700100299')
