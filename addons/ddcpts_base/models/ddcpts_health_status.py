import logging

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, api, fields, models

from odoo.addons.ddcpts_base.tools.locking import lock_rows

_logger = logging.getLogger(__name__)


class DdcptsHealthStatus(models.Model):
    """Last known connectivity of each provider record, fed by every provider call and health check.

    Written in its own short transaction (never blocking or failing the business transaction); a
    concurrent update of the same row is skipped, since both updates describe the same moment.
    """
    _name = 'ddcpts.health.status'
    _description = "Provider health status"
    _order = 'provider, name'

    provider = fields.Char(required=True, index=True)
    name = fields.Char(required=True)
    res_model = fields.Char(required=True)
    res_id = fields.Many2oneReference(model_field='res_model', required=True, aggregator=None)
    company_id = fields.Many2one('res.company')
    state = fields.Selection(
        [('ok', "Working"), ('failing', "Failing")], required=True, default='ok',
    )
    last_success_at = fields.Datetime("Last Success")
    last_failure_at = fields.Datetime("Last Failure")
    last_error = fields.Text()
    last_check_at = fields.Datetime("Last Check")
    kind = fields.Char("Type", compute='_compute_kind', help="What kind of provider record this is.")

    _sql_constraints = [
        ('record_unique', 'UNIQUE(res_model, res_id)', "One health status per provider record."),
    ]

    @api.depends('res_model')
    def _compute_kind(self):
        for status in self:
            model = self.env.registry.get(status.res_model)
            status.kind = model._description if model is not None else status.provider

    @api.model
    def _ddcpts_record_result(self, provider_record, success, error=None, check=False):
        now = fields.Datetime.now()
        values = {'state': 'ok' if success else 'failing'}
        values.update({'last_success_at': now} if success else {'last_failure_at': now, 'last_error': error})
        if check:
            values['last_check_at'] = now
        with self.env.registry.cursor() as cr:
            status = self.with_env(api.Environment(cr, SUPERUSER_ID, {})).search(
                [('res_model', '=', provider_record._name), ('res_id', '=', provider_record.id)]
            )
            try:
                with cr.savepoint():
                    if status:
                        # a concurrent update describes the same moment: skip rather than wait
                        if not lock_rows(status, nowait=True):
                            _logger.debug("Health status of %s locked by another worker; skipped",
                                          provider_record.display_name)
                            return
                        status.write(values)
                    else:
                        status.create(dict(
                            values,
                            provider=provider_record._ddcpts_provider_code(),
                            name=provider_record.display_name,
                            res_model=provider_record._name,
                            res_id=provider_record.id,
                            company_id=provider_record._ddcpts_company().id,
                        ))
            except (pg_errors.SerializationFailure, pg_errors.UniqueViolation):
                _logger.debug("Health status of %s updated concurrently; skipped", provider_record.display_name)

    @api.model
    def _cron_run_health_checks(self):
        """Run the connectivity check of every provider record of every integration."""
        for model_name in self.env.registry.descendants(['ddcpts.provider.mixin'], '_inherit'):
            model = self.env[model_name]
            if model._abstract or model._transient or model_name == 'ddcpts.provider.mixin':
                continue
            for record in model._ddcpts_health_check_records():
                record._ddcpts_run_health_check()

    def action_open_provider(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'res_model': self.res_model,
            'res_id': self.res_id,
            'view_mode': 'form',
        }
