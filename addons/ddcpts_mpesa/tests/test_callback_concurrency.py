import json
import threading
from datetime import timedelta

import requests

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import HOST, TransactionCase
from odoo.tools import config

from odoo.addons.ddcpts_base.tests.common import committed_env
from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tests.common import STK_SUCCESS_CALLBACK

CHECKOUT_ID = 'ws_CO_191220191020363925'
RECEIPT = 'NLJ7RT61SV'


@tagged('post_install', '-at_install')
class TestCallbackConcurrency(TransactionCase):
    """Real transactions, committed as in production: the same payment delivered by concurrent threads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with committed_env(cls.registry) as env:
            provider = env['payment.provider'].create({
                'name': "M-Pesa (concurrency test)", 'code': 'mpesa', 'state': 'disabled',
                'mpesa_shortcode': '174379',
            })
            partner = env['res.partner'].create({'name': "Concurrent payer"})
            cls.provider_id, cls.partner_id = provider.id, partner.id
            cls.base = f"http://{HOST}:{config['http_port']}{const.CALLBACK_PREFIX}/{provider.id}/" \
                       f"{provider._ddcpts_get_callback_token()}/"
        cls.addClassCleanup(cls._delete_committed_data)

    @classmethod
    def _delete_committed_data(cls):
        with committed_env(cls.registry) as env:
            env['payment.transaction'].search([('provider_id', '=', cls.provider_id)]).unlink()
            env['ddcpts.callback'].search([('provider_model', '=', 'payment.provider'),
                                           ('provider_res_id', '=', cls.provider_id)]).unlink()
            env['payment.provider'].browse(cls.provider_id).unlink()
            env['res.partner'].browse(cls.partner_id).unlink()

    def setUp(self):
        super().setUp()
        self.addCleanup(self._delete_transactions)

    def _delete_transactions(self):
        with committed_env(self.registry) as env:
            env['payment.transaction'].search([('provider_id', '=', self.provider_id)]).unlink()
            env['ddcpts.callback'].search([('provider_model', '=', 'payment.provider'),
                                           ('provider_res_id', '=', self.provider_id)]).unlink()

    def _pending_tx(self, amount, account_reference='INV202400001'):
        with committed_env(self.registry) as env:
            tx = env['payment.transaction'].create({
                'provider_id': self.provider_id,
                'payment_method_id': env.ref('payment.payment_method_mpesa').id,
                'reference': 'CONCURRENT-1',
                'amount': amount,
                'currency_id': env.ref('base.KES').id,
                'partner_id': self.partner_id,
                'mpesa_checkout_request_id': CHECKOUT_ID,
                'mpesa_account_reference': account_reference,
            })
            tx._set_pending()
            return tx.id

    def _deliver_concurrently(self, deliveries):
        """POST every (event, body) at the same moment from its own thread; return the HTTP statuses."""
        barrier = threading.Barrier(len(deliveries))
        statuses = []

        def send(event, body):
            barrier.wait()
            statuses.append(requests.post(self.base + event, data=body, timeout=120,
                                          headers={'Content-Type': 'application/json'}).status_code)

        threads = [threading.Thread(target=send, args=delivery) for delivery in deliveries]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        return statuses

    def _committed(self, model, domain, fields):
        with committed_env(self.registry) as env:
            return env[model].search(domain, order='id').read(fields)

    def _process_deferred(self):
        """What the reprocessing cron does a minute later: callbacks that found their transaction locked
        by a concurrent delivery were acknowledged and left "received"."""
        with committed_env(self.registry) as env:
            env['ddcpts.callback'].search([('state', '=', 'received')]).write(
                {'received_at': fields.Datetime.now() - timedelta(minutes=2)})
            env['ddcpts.callback']._cron_process_received()

    def _post(self, event, body):
        return requests.post(self.base + event, data=body, timeout=120, headers={'Content-Type': 'application/json'})

    def _callback_states(self):
        callbacks = self._committed('ddcpts.callback', [('provider_res_id', '=', self.provider_id),
                                                        ('provider_model', '=', 'payment.provider')], ['state'])
        return sorted(callback['state'] for callback in callbacks)

    def test_same_stk_callback_from_five_threads_is_booked_once(self):
        tx_id = self._pending_tx(1.0)
        statuses = self._deliver_concurrently([('stk', STK_SUCCESS_CALLBACK)] * 5)
        self.assertEqual(statuses, [200] * 5, "every delivery is acknowledged")
        self._process_deferred()
        [tx] = self._committed('payment.transaction', [('id', '=', tx_id)], ['state', 'mpesa_receipt'])
        self.assertEqual((tx['state'], tx['mpesa_receipt']), ('done', RECEIPT))
        self.assertEqual(self._callback_states(), ['duplicate'] * 4 + ['processed'])

    def test_same_c2b_confirmation_from_five_threads_is_booked_once(self):
        confirmation = json.dumps({
            "TransactionType": "Pay Bill", "TransID": "RKL51ZDR4F", "TransTime": "20231121121325",
            "TransAmount": "5.00", "BusinessShortCode": "174379", "BillRefNumber": "Sample Transaction",
            "InvoiceNumber": "", "OrgAccountBalance": "25.00", "ThirdPartyTransID": "", "MSISDN": "2547 ***** 126",
            "FirstName": "NICHOLAS", "MiddleName": "", "LastName": "",
        })
        statuses = self._deliver_concurrently([('c2b-confirmation', confirmation)] * 5)
        self.assertEqual(statuses, [200] * 5)
        self._process_deferred()
        transactions = self._committed('payment.transaction', [('mpesa_receipt', '=', 'RKL51ZDR4F')],
                                       ['state', 'amount', 'ddcpts_needs_review'])
        self.assertEqual(transactions, [{'id': transactions[0]['id'], 'state': 'done', 'amount': 5.0,
                                         'ddcpts_needs_review': True}])
        self.assertEqual(self._callback_states(), ['duplicate'] * 4 + ['processed'])

    def test_stk_callback_racing_its_c2b_confirmation_books_one_payment(self):
        tx_id = self._pending_tx(1.0, account_reference='INV202400001')
        confirmation = json.dumps({
            "TransactionType": "Pay Bill", "TransID": RECEIPT, "TransTime": "20191219102115", "TransAmount": "1.00",
            "BusinessShortCode": "174379", "BillRefNumber": "INV202400001", "InvoiceNumber": "",
            "OrgAccountBalance": "25.00", "ThirdPartyTransID": "", "MSISDN": "2547 ***** 149",
            "FirstName": "NICHOLAS", "MiddleName": "", "LastName": "",
        })
        statuses = self._deliver_concurrently([('stk', STK_SUCCESS_CALLBACK), ('c2b-confirmation', confirmation)] * 3)
        self.assertEqual(statuses, [200] * 6)
        self._process_deferred()
        transactions = self._committed('payment.transaction', [('provider_id', '=', self.provider_id)],
                                       ['state', 'mpesa_receipt'])
        self.assertEqual(transactions, [{'id': tx_id, 'state': 'done', 'mpesa_receipt': RECEIPT}])
        self.assertEqual(self._callback_states(), ['duplicate'] * 5 + ['processed'])

    def _locked_elsewhere(self, tx_id):
        """The transaction's row locked by another connection, as the post-processing cron holds it."""
        cr = self.registry.cursor()
        cr.execute("SELECT id FROM payment_transaction WHERE id = %s FOR UPDATE", [tx_id])
        return cr

    def test_duplicate_is_answered_while_post_processing_holds_the_transaction(self):
        tx_id = self._pending_tx(1.0)
        self.assertEqual(self._post('stk', STK_SUCCESS_CALLBACK).status_code, 200)
        with self._locked_elsewhere(tx_id) as cr:
            # the lock is released only after the answer: a callback waiting for it would never get one
            response = self._post('stk', STK_SUCCESS_CALLBACK)
            self.assertEqual((response.status_code, response.json()), (200, const.CALLBACK_ACK))
            cr.rollback()
        self.assertEqual(self._callback_states(), ['duplicate', 'processed'], "recognised by its receipt")

    def test_callback_behind_a_locked_transaction_is_acknowledged_and_processed_later(self):
        tx_id = self._pending_tx(1.0)
        with self._locked_elsewhere(tx_id) as cr:
            response = self._post('stk', STK_SUCCESS_CALLBACK)
            self.assertEqual((response.status_code, response.json()), (200, const.CALLBACK_ACK))
            cr.rollback()
        self.assertEqual(self._callback_states(), ['received'], "stored, left for the reprocessing cron")
        [tx] = self._committed('payment.transaction', [('id', '=', tx_id)], ['state'])
        self.assertEqual(tx['state'], 'pending')
        self._process_deferred()
        [tx] = self._committed('payment.transaction', [('id', '=', tx_id)], ['state', 'mpesa_receipt'])
        self.assertEqual((tx['state'], tx['mpesa_receipt']), ('done', RECEIPT))
        self.assertEqual(self._callback_states(), ['processed'])
