from datetime import timedelta

from odoo import fields, models

from odoo.addons.ddcpts_kra_etims import const


class DdcptsEtimsQueueMixin(models.AbstractModel):
    """A document waiting in its device's queue for eTIMS, tried again with backoff while eTIMS does not answer."""
    _name = 'ddcpts.etims.queue.mixin'
    _description = "Document sent to eTIMS"

    etims_device_id = fields.Many2one('ddcpts.etims.device', "eTIMS Device", copy=False, readonly=True, index=True)
    etims_error = fields.Text("eTIMS Error", copy=False, readonly=True)
    etims_attempt_count = fields.Integer("eTIMS Attempts", copy=False, readonly=True)
    etims_next_attempt_at = fields.Datetime("Next eTIMS Attempt", copy=False, readonly=True)

    def _etims_write(self, vals):
        """Write eTIMS bookkeeping (as superuser: the user sending may not edit the document otherwise)."""
        return self.sudo().write(vals)

    def _etims_is_due(self):
        self.ensure_one()
        return not self.etims_next_attempt_at or self.etims_next_attempt_at <= fields.Datetime.now()

    def _etims_schedule_retry(self, error):
        """Keep the document (and its number) for a later attempt: 1, 2, 5, 10, 30 min, then hourly."""
        attempts = self.etims_attempt_count + 1
        delay = const.RETRY_DELAYS[min(attempts, len(const.RETRY_DELAYS)) - 1]
        self._etims_write({
            'etims_attempt_count': attempts,
            'etims_next_attempt_at': fields.Datetime.now() + timedelta(seconds=delay),
            'etims_error': str(error),
        })
