"""Every provider callback route of the suite refuses garbage cleanly (property-based).

The routes are read from the routing table (``ddcpts_callback`` routing of ``callback_route``), so
the routes of a new addon are covered without touching this test. Each generated body is poisoned
everywhere (every string holds a NUL or a control character, numbers are out of any range, types
are wrong): a route must answer it with a 4xx (or acknowledge and ignore it), never a 5xx, never log
a traceback, and book nothing.
"""
import json
import logging
import re
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged
from odoo.tests.common import HttpCase

# the field names the suite's schemas read, so that the generated bodies reach the field checks
KEYS = [
    'id', 'status', 'phoneNumber', 'networkCode', 'failureReason', 'retryCount', 'from', 'to', 'text', 'linkId',
    'date', 'senderId', 'MessageSid', 'MessageStatus', 'SmsStatus', 'ErrorCode', 'To', 'results', 'messageId',
    'groupName', 'name', 'price', 'pricePerMessage', 'currency', 'messageCount', 'clientCorrelatorId',
    'deliveryStatus', 'senderAddress', 'receiverAddress', 'message', 'event_id', 'amount', 'crash', 'key',
    'result', 'receipt', 'Body', 'stkCallback', 'MerchantRequestID', 'CheckoutRequestID', 'ResultCode',
    'ResultDesc', 'CallbackMetadata', 'Item', 'Name', 'Value', 'TransactionType', 'TransID', 'TransTime',
    'TransAmount', 'BusinessShortCode', 'BillRefNumber', 'InvoiceNumber', 'OrgAccountBalance', 'MSISDN',
    'FirstName', 'Result', 'ResultType', 'OriginatorConversationID', 'ConversationID', 'TransactionID',
    'ResultParameters', 'ResultParameter', 'ReferenceData', 'ReferenceItem', 'referenceId', 'externalId',
    'financialTransactionId', 'payer', 'payee', 'partyIdType', 'partyId', 'payerMessage', 'payeeNote', 'reason',
    'code',
]
CONTROL = st.sampled_from(['\x00', '\x01', '\x08', '\x0b', '\x1b', '\x7f', '\x85', '\x9f'])
POISONED_TEXT = st.builds(lambda before, control, after: before + control + after,
                          st.text(max_size=12), CONTROL, st.text(max_size=12))
HUGE_NUMBER = st.one_of(st.integers(min_value=10 ** 120, max_value=10 ** 130),
                        st.integers(min_value=-10 ** 130, max_value=-10 ** 120),
                        st.sampled_from([1e308, -1e308, float('nan'), float('inf'), 1e-300]))
SCALAR = st.one_of(POISONED_TEXT, HUGE_NUMBER, st.booleans())
VALUE = st.recursive(SCALAR, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(st.sampled_from(KEYS), children, max_size=4)), max_leaves=12)
JSON_BODY = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), VALUE, max_size=8).map(json.dumps),
    VALUE.map(json.dumps),
)
FORM_BODY = st.dictionaries(st.sampled_from(KEYS), POISONED_TEXT, min_size=1, max_size=8).map(urlencode)
BODY = st.one_of(JSON_BODY.map(lambda body: ('application/json', body)),
                 FORM_BODY.map(lambda body: ('application/x-www-form-urlencoded', body)))
# what a callback may book or change: compared before and after every run
WATCHED_MODELS = ['payment.transaction', 'account.payment', 'account.move', 'ddcpts.payout', 'sms.sms',
                  'ddcpts.sms.message', 'ddcpts.sms.incoming', 'phone.blacklist', 'test.ddcpts.event']
WATCHED_STATES = ['payment.transaction', 'ddcpts.payout', 'sms.sms', 'ddcpts.sms.message']
CONVERTER = re.compile(r'<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>')


class _TracebackCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        if record.levelno >= logging.ERROR or record.exc_info or 'Traceback' in record.getMessage():
            self.records.append(f'{record.name}: {record.getMessage()}')


@tagged('post_install', '-at_install')
class TestCallbackFuzz(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_providers()
        cls.paths = cls._callback_paths()

    @classmethod
    def _create_providers(cls):
        """Provider records the demo data lacks: the fixture provider, a gateway of every SMS type."""
        if 'test.ddcpts.provider' in cls.env:
            cls.env['test.ddcpts.provider'].create({'name': "Fuzzed provider", 'base_url': 'http://127.0.0.1:9',
                                                    'api_key': 'fuzz'})
        if 'ddcpts.sms.gateway' in cls.env:
            Gateway = cls.env['ddcpts.sms.gateway']
            for gateway_type, name in Gateway._fields['type'].selection:
                Gateway.create({'name': name, 'type': gateway_type, 'username': 'fuzz', 'api_key': 'fuzz',
                                'api_url': 'http://127.0.0.1:9', 'recipients_per_request': 1})

    @classmethod
    def _callback_rules(cls):
        """``(url, routing)`` of every route declared with ``callback_route`` in this database."""
        ir_http = cls.env['ir.http']
        modules = sorted(cls.env.registry._init_modules)
        return [(url, endpoint.routing) for url, endpoint in ir_http._generate_routing_rules(
            modules, converters=ir_http._get_converters()) if endpoint.routing.get('ddcpts_callback')]

    @classmethod
    def _provider_for(cls, model, url):
        """A record of ``model`` whose routes ``url`` serves: its provider code in the URL, else any."""
        candidates = []
        for record in cls.env[model].with_context(active_test=False).search([]):
            try:
                code = record._ddcpts_provider_code()
            except NotImplementedError:  # e.g. a payment provider of another integration
                continue
            candidates.append((f'/{code}/' not in url, record.id, record))
        return min(candidates)[2] if candidates else None

    @classmethod
    def _callback_paths(cls):
        """Concrete paths (real record id and token) of every callback route, one per ``any()`` choice."""
        paths = []
        for url, routing in cls._callback_rules():
            provider = cls._provider_for(routing['ddcpts_callback']['provider_model'], url)
            if not provider:
                continue
            concrete = [url]
            for converter, arguments, name in CONVERTER.findall(url):
                pattern = f'<{converter}({arguments}):{name}>' if arguments else (
                    f'<{converter}:{name}>' if converter else f'<{name}>')
                if name == 'record_id':
                    values = [str(provider.id)]
                elif name == 'token':
                    values = [provider._ddcpts_get_callback_token()]
                else:
                    values = [value.strip().strip('"\'') for value in arguments.split(',')] if arguments else ['x']
                concrete = [path.replace(pattern, value) for path in concrete for value in values]
            paths += concrete
        return sorted(set(paths))

    def _snapshot(self):
        self.env.invalidate_all()
        counts = {model: self.env[model].sudo().with_context(active_test=False).search_count([])
                  for model in WATCHED_MODELS if model in self.env}
        states = {model: sorted(self.env[model].sudo().with_context(active_test=False)._read_group(
            [], ['state'], ['__count'])) for model in WATCHED_STATES if model in self.env}
        return counts, states

    def test_routes_are_found(self):
        """The enumeration itself: at least the routes of the addons known to be installed."""
        self.assertTrue(self.paths)
        prefixes = {'ddcpts_sms': '/ddcpts/sms/africastalking/', 'test_ddcpts_base': '/ddcpts/test/',
                    'ddcpts_mpesa': '/ddcpts/daraja/', 'ddcpts_momo': '/ddcpts/momo/'}
        for module, prefix in prefixes.items():
            if module in self.env.registry._init_modules:
                self.assertTrue([path for path in self.paths if path.startswith(prefix)], prefix)

    @settings(max_examples=12, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(body=BODY)
    def test_poisoned_bodies_never_fail_a_route(self, body):
        content_type, data = body
        before = self._snapshot()
        collector = _TracebackCollector()
        logging.getLogger().addHandler(collector)
        try:
            answers = {path: self.opener.post(f'{self.base_url()}{path}', data=data.encode(), timeout=60,
                                              headers={'Content-Type': content_type})
                       for path in self.paths}
        finally:
            logging.getLogger().removeHandler(collector)
        failures = {path: (response.status_code, response.text[:200]) for path, response in answers.items()
                    if response.status_code >= 500 or 'Traceback' in response.text}
        self.assertFalse(failures, f"routes failing on {data[:300]!r}")
        self.assertFalse(collector.records, f"errors logged for {data[:300]!r}")
        self.assertEqual(self._snapshot(), before, "a poisoned callback booked or changed something")

    def test_huge_bodies_are_refused(self):
        data = json.dumps({'id': 'A' * 400_000, 'status': 'Success'})
        for path in self.paths:
            response = self.opener.post(f'{self.base_url()}{path}', data=data, timeout=60,
                                        headers={'Content-Type': 'application/json'})
            self.assertEqual(response.status_code, 413, path)
