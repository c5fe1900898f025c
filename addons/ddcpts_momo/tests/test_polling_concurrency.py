from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.ddcpts_base.tests.common import SandboxMixin, committed_env
from odoo.addons.ddcpts_momo.tests.common import PAYER, provider_values


@tagged('post_install', '-at_install')
class TestPollingConcurrency(SandboxMixin, TransactionCase):
    """Real committed transactions, as with several cron workers: a request another worker holds is skipped."""

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
        cls.addClassCleanup(cls._delete_committed_data)

    @classmethod
    def _delete_committed_data(cls):
        with committed_env(cls.registry) as env:
            env['payment.transaction'].search([('provider_id', '=', cls.provider_id)]).unlink()
            env['ddcpts.provider.call'].search([('res_model', '=', 'payment.provider'),
                                                ('res_id', '=', cls.provider_id)]).unlink()
            env['ddcpts.health.status'].search([('res_model', '=', 'payment.provider'),
                                                ('res_id', '=', cls.provider_id)]).unlink()
            env.cr.execute("DELETE FROM ddcpts_provider_token WHERE res_model = 'payment.provider' AND res_id = %s",
                           [cls.provider_id])
            env['payment.provider'].browse(cls.provider_id).unlink()
            env['res.partner'].browse(cls.partner_id).unlink()

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

    def _states(self, ids):
        with committed_env(self.registry) as env:
            return env['payment.transaction'].browse(ids).mapped('state')

    def test_a_request_held_by_another_worker_is_skipped_then_settled(self):
        self.sandbox_reset()
        self.addCleanup(self.sandbox_reset)
        held, free = self._requested(2)
        with self.registry.cursor() as other_worker:
            other_worker.execute("SELECT id FROM payment_transaction WHERE id = %s FOR UPDATE", [held])
            with committed_env(self.registry) as env:
                env['payment.transaction']._cron_momo_poll_pending()  # must not wait for the lock
            self.assertEqual(self._states([held, free]), ['pending', 'done'])
            other_worker.rollback()
        with committed_env(self.registry) as env:
            env['payment.transaction']._cron_momo_poll_pending()
        self.assertEqual(self._states([held, free]), ['done', 'done'])
        status_queries = [r for r in self.sandbox_requests('/collection/v1_0/requesttopay/') if r['method'] == 'GET']
        self.assertEqual(len(status_queries), 2, "each request asked once: never by two workers")
