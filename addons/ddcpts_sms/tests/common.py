"""Gateways pointed at the provider simulator, and helpers to send SMS and post callbacks."""
import contextlib
from urllib.parse import urlencode, urlparse

import requests

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.ddcpts_base.tests.common import RegistryTestModeMixin, SandboxMixin, sandbox_url

AT_SEND_PATH = '/version1/messaging'
# docs/providers/messaging.md, verbatim
AT_SUCCESS_RESPONSE = {"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000", "Recipients": [{"cost": "KES 0.8000", "messageId": "ATXid_081365ccc485678b5c0413e1795ab53e", "messageParts": 1, "number": "+254701000001", "status": "Success", "statusCode": 100}]}}  # noqa: E501
AT_DND_RESPONSE = {"SMSMessageData": {"Message": "Sent to 0/1 Total Cost: 0", "Recipients": [{"cost": "0", "messageId": "None", "number": "+2348000000001", "status": "DoNotDisturbRejection", "statusCode": 409}]}}  # noqa: E501
AT_FAILED_REPORT = 'id=ATXid_a2&status=Failed&phoneNumber=%2B254711000002&networkCode=63902&failureReason=UserInBlacklist'  # noqa: E501

CREDENTIALS = {
    'africastalking': {'username': 'sandbox', 'api_key': 'atsk-test-key'},
    'twilio': {'username': 'ACtestaccount', 'api_key': 'twilio-auth-token'},
    'infobip': {'api_key': 'infobip-test-key'},
    'mtn': {'username': 'mtn-client', 'api_key': 'mtn-secret', 'mtn_service_code': '4321'},
}


class SmsGatewayMixin:
    """For DdcptsCase / DdcptsHttpCase: only the gateways a test creates are active."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['ddcpts.sms.gateway'].search([]).action_archive()
        cls.company = cls.env.company
        cls.company.country_id = cls.env.ref('base.ke')
        cls.gateway = cls.create_gateway(name="AT primary")

    @classmethod
    def create_gateway(cls, gateway_type='africastalking', **values):
        return cls.env['ddcpts.sms.gateway'].create({
            'name': f"{gateway_type} gateway", 'type': gateway_type, 'api_url': sandbox_url(), 'timeout': 5,
            'company_id': cls.env.company.id, **CREDENTIALS[gateway_type], **values,
        })

    def create_sms(self, numbers, body="Your order is ready.", **values):
        return self.env['sms.sms'].create([{'number': number, 'body': body, **values} for number in numbers])

    def messages_of(self, sms):
        return self.env['ddcpts.sms.message'].search([('sms_uuid', 'in', sms.mapped('uuid'))])

    def at_send_requests(self):
        return self.sandbox_requests(AT_SEND_PATH)

    def sent_form(self, request):
        return dict(item.split('=', 1) for item in request['body'].split('&'))


class NotificationCase(SmsGatewayMixin, RegistryTestModeMixin, SandboxMixin, AccountTestInvoicingCommon):
    """Invoices and payments of a customer reachable by SMS and email, with a clean simulator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner_a.write({'mobile': '+254701000001', 'email': 'buyer@example.com'})

    def setUp(self):
        super().setUp()
        self.sandbox_reset()


class SmsCallbackMixin:
    """For DdcptsHttpCase: callbacks reach this test server; AT's dashboard URLs set in the simulator."""

    def setUp(self):
        super().setUp()
        self.env['ddcpts.sms.gateway'].search([]).ddcpts_public_url = self.base_url()

    @contextlib.contextmanager
    def request_env(self):
        """An environment used the way an HTTP request uses the database: the callbacks the simulator
        sends meanwhile wait until it is done, as they would wait for its commit."""
        self.env.flush_all()
        with self.registry.cursor() as cr:
            yield self.env(cr=cr)
        self.env.invalidate_all()

    def configure_at_dashboard(self, gateway):
        self.simulate('/africastalking/dashboard/callbacks', {
            'username': gateway.username,
            'delivery_reports': gateway._ddcpts_event_url('delivery'),
            'incoming_messages': gateway._ddcpts_event_url('incoming'),
            'bulk_sms_optout': gateway._ddcpts_event_url('optout'),
        })

    def simulate(self, path, payload):
        """Call one of the simulator's subscriber-side or dashboard endpoints."""
        response = requests.post(f'{sandbox_url()}{path}', json=payload, timeout=30)
        response.raise_for_status()
        return response.json()

    def callback_path(self, gateway, event, token=None):
        path = urlparse(gateway._ddcpts_event_url(event)).path
        return path.replace(gateway._ddcpts_get_callback_token(), token) if token else path

    def post_form(self, path, data, headers=None):
        body = data if isinstance(data, str) else urlencode(data)
        return self.opener.post(f'{self.base_url()}{path}', data=body, timeout=30, headers={
            'Content-Type': 'application/x-www-form-urlencoded', **(headers or {})})

    def post_body(self, path, body, content_type='application/json'):
        return self.opener.post(f'{self.base_url()}{path}', data=body, timeout=30,
                                headers={'Content-Type': content_type})

    def last_callback(self):
        return self.env['ddcpts.callback'].search([('provider_model', '=', 'ddcpts.sms.gateway')], limit=1)
