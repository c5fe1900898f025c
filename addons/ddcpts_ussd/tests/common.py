"""A USSD service of the demo menu, a known caller, and helpers posting the gateways' requests."""
import json
from urllib.parse import urlencode

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase

# docs/providers/ussd.md: Africa's Talking's example request, verbatim
AT_FIRST_REQUEST = 'phoneNumber=%2B254702079491&serviceCode=%2A384%2A11469%23&text=&sessionId=ATUid_1c1e09269ff2b366033529d495e083e5&networkCode=99999'  # noqa: E501
AT_EXAMPLE_SERVICE_CODE = '*384*11469#'
AT_EXAMPLE_PHONE = '+254702079491'
AT_EXAMPLE_SESSION = 'ATUid_1c1e09269ff2b366033529d495e083e5'
CALLER = '+254700100299'
FORM = 'application/x-www-form-urlencoded'


class UssdCase(DdcptsHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({'name': "Umoja Traders", 'country_id': cls.env.ref('base.ke').id})
        cls.service = cls.env['ddcpts.ussd.service'].create({
            'name': "Test service", 'service_code': AT_EXAMPLE_SERVICE_CODE, 'root_menu': 'demo',
        })
        cls.caller = cls.env['res.partner'].create({
            'name': "Akinyi Otieno", 'mobile': '0700 100299', 'country_id': cls.env.ref('base.ke').id,
            'ref': 'C-7',
        })
        cls.env['ddcpts.ussd.pin'].search([('partner_id', '=', cls.caller.id)]).unlink()

    def setUp(self):
        super().setUp()
        self.service.ddcpts_public_url = self.base_url()
        self.path = self.service._ddcpts_ussd_callback_url().removeprefix(self.base_url())

    # requests --------------------------------------------------------------

    def post_raw(self, body, content_type=FORM, path=None):
        return self.url_open(path or self.path, data=body, headers={'Content-Type': content_type}, timeout=60)

    def at(self, text, session='ATUid_s1', phone=CALLER, service_code=AT_EXAMPLE_SERVICE_CODE, **extra):
        """One Africa's Talking step; returns the text answered."""
        response = self.post_raw(urlencode({'sessionId': session, 'serviceCode': service_code, 'phoneNumber': phone,
                                            'networkCode': '63902', 'text': text, **extra}))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(response.headers['Content-Type'].startswith('text/plain'))
        return response.text

    def mtn(self, ussd_string, session='MTN-1', msisdn=CALLER[1:]):
        response = self.post_raw(json.dumps({'sessionId': session, 'msisdn': msisdn, 'ussdString': ussd_string,
                                             'serviceCode': AT_EXAMPLE_SERVICE_CODE}), 'application/json')
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def dial(self, inputs, session='ATUid_s1', **kwargs):
        """Play a dialogue as Africa's Talking does (the history grows at each step); the screens."""
        return [self.at('*'.join(inputs[:count]), session=session, **kwargs) for count in range(len(inputs) + 1)]

    def session_of(self, ref):
        return self.env['ddcpts.ussd.session'].search([('service_id', '=', self.service.id),
                                                       ('session_ref', '=', ref)])

    def callbacks_of(self, ref):
        return self.env['ddcpts.callback'].search([('provider_model', '=', 'ddcpts.ussd.service'),
                                                   ('provider_res_id', '=', self.service.id),
                                                   ('body', 'like', ref)])

    def set_pin(self, pin='4821'):
        self.env['ddcpts.ussd.pin']._ddcpts_store_hash(self.caller, self.company,
                                                       self.env['ddcpts.ussd.pin']._ddcpts_hash(pin))
        return self.env['ddcpts.ussd.pin']._ddcpts_for(self.caller, self.company)
