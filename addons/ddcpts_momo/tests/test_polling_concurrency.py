from datetime import timedelta

import requests

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import HOST, TransactionCase
from odoo.tools import config

from odoo.addons.ddcpts_base.tests.common import SandboxMixin, committed_env
from odoo.addons.ddcpts_momo import const
from odoo.addons.ddcpts_momo.tests.common import PAYER, provider_values


@tagged('post_install', '-at_install')
class TestPollingConcurrency(SandboxMixin, TransactionCase):
    """Real committed transactions, as with several cron workers and callbacks at once: a request another
    worker holds is skipped by the poller and deferred by its callback, and MTN is asked once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with committed_env(cls.registry) as env:
            journal = env['account.journal'].search([('type', '=', 'bank'), ('company_id', '=', env.company.id)],
                                                    limit=1)
            provider = env['payment.provider'].create(dict(
                provider_values(journal), name="MoMo (concurrency test)", code='momo', is_published=False,
                payment_method_ids=[(6, 0, env.ref('ddcpts_momo.payment_method_mtn_momo').ids)],
            ))
            partner = env['res.partner'].create({'name': "Concurrent payer", 'mobile': PAYER})
            cls.provider_id, cls.partner_id = provider.id, partner.id
            cls.callback_base = f"http://{HOST}:{config['http_port']}{const.CALLBACK_PREFIX}/{provider.id}/" \
                                f"{provider._ddcpts_get_callback_token()}/collection/"
        cls.addClassCleanup(cls._delete_committed_data)

    @classmethod
    def _delete_committed_data(cls):
        cls._delete_transactions()
        with committed_env(cls.registry) as env:
            env['ddcpts.provider.call'].search([('res_model', '=', 'payment.provider'),
                                                ('res_id', '=', cls.provider_id)]).unlink()
            env['ddcpts.health.status'].search([('res_model', '=', 'payment.provider'),
                                                ('res_id', '=', cls.provider_id)]).unlink()
            env.cr.execute("DELETE FROM ddcpts_provider_token WHERE res_model = 'payment.provider' AND res_id = %s",
                           [cls.provider_id])
            env['payment.provider'].browse(cls.provider_id).unlink()
            env['res.partner'].browse(cls.partner_id).unlink()

    @classmethod
    def _delete_transactions(cls):
        with committed_env(cls.registry) as env:
            env['payment.transaction'].search([('provider_id', '=', cls.provider_id)]).unlink()
            env['ddcpts.callback'].search([('provider_model', '=', 'payment.provider'),
                                           ('provider_res_id', '=', cls.provider_id)]).unlink()

    def setUp(self):
        super().setUp()
        self.sandbox_reset()
        self.addCleanup(self.sandbox_reset)
        self.addCleanup(self._delete_transactions)

    def _requested(self, count):
        """``count`` Requests to Pay sent to the simulator and committed, due for their status query."""
        ids = []
        with committed_env(self.registry) as env:
            provider = env['payment.provider'].browse(self.provider_id)
            for index in range(count):
                tx = env['payment.transaction'].create({
                    'provider_id': provider.id, 'payment_method_id': provider.payment_method_ids.id,
                    'reference': f'CONCURRENT-MOMO-{index}', 'amount': 10, 'currency_id': env.ref('base.EUR').id,
                    'partner_id': self.partner_id,
                })
                tx._momo_request_to_pay(PAYER)
                tx.momo_next_poll_at = fields.Datetime.now() - timedelta(seconds=1)
                ids.append(tx.id)
        return ids

    def _committed(self, model, ids, fields):
        with committed_env(self.registry) as env:
            return [tuple(record[name] for name in fields) for record in env[model].browse(ids).read(fields)]

    def _status_queries(self):
        return [r for r in self.sandbox_requests(const.REQUEST_TO_PAY_PATH + '/') if r['method'] == 'GET']

    def _locked_elsewhere(self, tx_id):
        """The transaction's row locked by another connection, as a poller or post-processing holds it."""
        cr = self.registry.cursor()
        cr.execute("SELECT id FROM payment_transaction WHERE id = %s FOR UPDATE", [tx_id])
        return cr

    def test_a_request_held_by_another_worker_is_skipped_then_settled(self):
        held, free = self._requested(2)
        with self._locked_elsewhere(held) as other_worker:
            with committed_env(self.registry) as env:
                env['payment.transaction']._cron_momo_poll_pending()  # must not wait for the lock
            self.assertEqual(self._committed('payment.transaction', [held, free], ['state']),
                             [('pending',), ('done',)])
            other_worker.rollback()
        with committed_env(self.registry) as env:
            env['payment.transaction']._cron_momo_poll_pending()
        self.assertEqual(self._committed('payment.transaction', [held, free], ['state']), [('done',), ('done',)])
        self.assertEqual(len(self._status_queries()), 2, "each request asked once: never by two workers")

    def test_callback_behind_a_held_request_is_acknowledged_and_processed_later(self):
        [tx_id] = self._requested(1)
        with committed_env(self.registry) as env:
            reference_id = env['payment.transaction'].browse(tx_id).momo_reference_id
        with self._locked_elsewhere(tx_id) as other_worker:
            # the lock is released only after the answer: a callback waiting for it would never get one
            response = requests.put(self.callback_base + reference_id, json={'status': 'SUCCESSFUL'}, timeout=120)
            self.assertEqual(response.status_code, 200)
            other_worker.rollback()
        domain = [('provider_model', '=', 'payment.provider'), ('provider_res_id', '=', self.provider_id)]
        with committed_env(self.registry) as env:
            callback_ids = env['ddcpts.callback'].search(domain).ids
        self.assertEqual(self._committed('ddcpts.callback', callback_ids, ['state']), [('received',)])
        self.assertEqual(self._committed('payment.transaction', [tx_id], ['state']), [('pending',)])
        self.assertFalse(self._status_queries(), "MTN is not asked while another worker settles the request")
        with committed_env(self.registry) as env:  # what the reprocessing cron does a minute later
            env['ddcpts.callback'].browse(callback_ids).write(
                {'received_at': fields.Datetime.now() - timedelta(minutes=2)})
            env['ddcpts.callback']._cron_process_received()
        self.assertEqual(self._committed('ddcpts.callback', callback_ids, ['state']), [('processed',)])
        self.assertEqual(self._committed('payment.transaction', [tx_id], ['state']), [('done',)])
        self.assertEqual(len(self._status_queries()), 1)
