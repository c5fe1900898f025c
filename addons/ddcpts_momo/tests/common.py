"""Shared setup of the MoMo tests: a provider pointed at the simulator, EUR invoices, MTN payloads.

The official examples of docs/providers/momo.md are kept here verbatim (as text) and sent as is.
"""
import datetime
import json
from urllib.parse import urlparse

from odoo import fields

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase, MobileMoneyCommon, sandbox_url
from odoo.addons.ddcpts_momo import const
from odoo.addons.payment.tests.http_common import PaymentHttpCommon

# MTN's examples, verbatim: numbers where the schema says strings, and a failure
STATUS_SUCCESSFUL = '{"amount":100,"currency":"UGX","financialTransactionId":23503452,"externalId":947354,"payer":{"partyIdType":"MSISDN","partyId":4656473839},"status":"SUCCESSFUL"}'  # noqa: E501
STATUS_FAILED = '{"externalId":"04822b2a-0896-4612-9e9e-15ce749b7883","amount":"500000000","currency":"UGX","payer":{"partyIdType":"MSISDN","partyId":"25677000000"},"payerMessage":"test","payeeNote":"test","status":"FAILED","reason":"INTERNAL_PROCESSING_ERROR"}'  # noqa: E501
REQUEST_TO_PAY = '{"amount":"100","currency":"EUR","externalId":"INV/2026/0001","payer":{"partyIdType":"MSISDN","partyId":"46733123450"},"payerMessage":"…","payeeNote":"…"}'  # noqa: E501

# the official sandbox test numbers
FAILED, REJECTED, EXPIRED, ONGOING, DELAYED, NOT_FOUND = (f'4673312345{digit}' for digit in range(6))
PAYER = '46733123460'  # any other number succeeds

API_USER = 'c72025f5-5cd1-4630-99e4-8ba4722fad56'
API_KEY = 'test-api-key'
COLLECTION_KEY = 'test-collection-key'
DISBURSEMENT_KEY = 'test-disbursement-key'


def provider_values(journal):
    return {
        'state': 'test',
        'is_published': True,
        'momo_target_environment': 'sandbox',
        'momo_api_url_type': 'custom',
        'momo_api_url': sandbox_url(),
        'momo_api_user': API_USER,
        'momo_api_key': API_KEY,
        'momo_collection_key': COLLECTION_KEY,
        'momo_disbursement_key': DISBURSEMENT_KEY,
        # not this server's host: no X-Callback-Url, so no callback unless a test asks for one
        'momo_callback_host': 'callbacks.invalid',
        'momo_check_account_holder': False,
        'ddcpts_public_url': False,
        'ddcpts_ip_allowlist': False,
        'journal_id': journal.id,
    }


class MomoCommon(MobileMoneyCommon):
    """The MoMo provider of the test company pointed at the simulator (sandbox: EUR), a EUR journal and
    a customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls._prepare_currency('EUR')
        cls.customer = cls.env['res.partner'].create({'name': "Ama Owusu", 'mobile': PAYER, 'email': 'ama@example.com'})
        cls.journal = cls.env['account.journal'].create({
            'name': "MoMo (tests)", 'code': 'TMOMO', 'type': 'bank', 'currency_id': cls.eur.id,
        })
        cls.provider = cls._prepare_provider('momo', update_values=provider_values(cls.journal))
        # what PaymentCommon's _create_transaction uses
        cls.payment_method = cls.env.ref('ddcpts_momo.payment_method_mtn_momo')
        cls.payment_method_id = cls.payment_method.id
        cls.currency = cls.eur
        cls.partner = cls.customer

    def setUp(self):
        super().setUp()
        for product in const.PRODUCTS:
            self.provider._ddcpts_invalidate_token(scope=product)  # the simulator forgot its tokens at reset

    # ------------------------------------------------------------------
    # Documents and requests
    # ------------------------------------------------------------------

    def create_invoice(self, amount, currency=None, partner=None):
        return self.init_invoice('out_invoice', partner=partner or self.customer, invoice_date=datetime.date.today(),
                                 amounts=[amount], currency=currency or self.eur, taxes=self.env['account.tax'],
                                 post=True)

    def request_payment(self, phone=PAYER, amount=100, invoice=None):
        """A Request to Pay of an invoice, sent to the simulator; returns the pending transaction."""
        invoice = invoice or self.create_invoice(amount)
        return invoice._ddcpts_request_mobile_payment('momo', phone=phone)

    def poll(self, *transactions):
        """Run the polling cron with the transactions due now."""
        for tx in transactions:
            tx.momo_next_poll_at = fields.Datetime.now() - datetime.timedelta(seconds=1)
        self.env['payment.transaction']._cron_momo_poll_pending()
        self.env.invalidate_all()

    def post_processing_triggers(self):
        """How many times the payment post-processing cron (which books the payments) was asked to run now
        (each wake-up also leaves a catch-up trigger a few seconds ahead: ``tools.cron.trigger_batched``)."""
        return self.env['ir.cron.trigger'].search_count(
            [('cron_id', '=', self.env.ref('payment.cron_post_process_payment_tx').id),
             ('call_at', '<=', fields.Datetime.now())])

    def sent_requests(self, path=const.REQUEST_TO_PAY_PATH, method='POST'):
        return [request for request in self.sandbox_requests(path) if request['method'] == method]

    # ------------------------------------------------------------------
    # Callbacks
    # ------------------------------------------------------------------

    def callback_path(self, reference_id, product='collection', token=None):
        url = self.provider._ddcpts_callback_url(const.CALLBACK_PREFIX, f'{product}/{reference_id}')
        path = urlparse(url).path
        if token is not None:
            parts = path.split('/')  # '', 'ddcpts', 'momo', id, token, product, reference
            parts[4] = token
            path = '/'.join(parts)
        return path

    def send_callback(self, reference_id, body, method='PUT', token=None, product='collection'):
        """Send ``body`` (a dict, or text sent byte for byte) to a callback route over real HTTP."""
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        self.env.flush_all()
        response = self.opener.request(method, self.base_url() + self.callback_path(reference_id, product, token),
                                       data=data, headers={'Content-Type': 'application/json'}, timeout=60)
        self.env.invalidate_all()
        return response

    def use_simulator_callbacks(self):
        """Give MTN this server's host: requests carry an X-Callback-Url and the simulator calls back (when
        the test delivers what it holds)."""
        self.provider.momo_callback_host = urlparse(self.base_url()).hostname


class MomoHttpCommon(MomoCommon, PaymentHttpCommon, DdcptsHttpCase):
    """The MoMo setup with Odoo's HTTP test server: callbacks reach the routes over real HTTP."""
