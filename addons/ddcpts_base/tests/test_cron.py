from unittest.mock import patch

from odoo import fields
from odoo.tests import TransactionCase, freeze_time, tagged

from odoo.addons.ddcpts_base.tools import cron as cron_tools


@tagged('post_install', '-at_install')
class TestTriggerBatched(TransactionCase):
    """``trigger_batched``: one wake-up and one catch-up trigger per worker and batch, once committed."""

    def setUp(self):
        super().setUp()
        self.cron = self.env.ref('ddcpts_base.ir_cron_process_received_callbacks')
        self.env['ir.cron.trigger'].search([('cron_id', '=', self.cron.id)]).unlink()
        self.enterContext(patch.dict(cron_tools._catch_up_at, clear=True))

    def triggers(self):
        return self.env['ir.cron.trigger'].search([('cron_id', '=', self.cron.id)], order='call_at, id')

    def commit_hooks(self):
        """What a commit runs after committing (a test transaction never commits)."""
        self.env.cr.postcommit.run()

    def test_one_trigger_per_batch_once_committed(self):
        start = fields.Datetime.now()
        with freeze_time(start):
            cron_tools.trigger_batched(self.cron)
            self.assertEqual(self.triggers().mapped('call_at'), [start, start + cron_tools.CATCH_UP],
                             "woken now, and a catch-up run for what the worker commits meanwhile")
            cron_tools.trigger_batched(self.cron)
            self.assertEqual(len(self.triggers()), 4, "nothing is skipped on a trigger that is not committed")
            self.commit_hooks()
            cron_tools.trigger_batched(self.cron)
            self.assertEqual(len(self.triggers()), 4, "covered by the committed catch-up trigger")
        with freeze_time(start + cron_tools.CATCH_UP - cron_tools.BATCH):
            cron_tools.trigger_batched(self.cron)
            self.assertEqual(len(self.triggers()), 6,
                             "less than a batch before the catch-up run, a commit might miss it: triggered again")

    def test_rolled_back_trigger_is_not_remembered(self):
        cron_tools.trigger_batched(self.cron)
        self.env.cr.postcommit.clear()  # what a rollback does to the post-commit hooks
        cron_tools.trigger_batched(self.cron)
        self.assertEqual(len(self.triggers()), 4)
