from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.ddcpts_base.tools.display import pretty_json


class DdcptsProviderCall(models.Model):
    """One HTTP exchange with a provider, credentials masked.

    Rows are written in their own transaction by the provider HTTP client, so a call that reached
    the provider stays on record even when the business transaction that made it rolls back.
    """
    _name = 'ddcpts.provider.call'
    _inherit = ['ddcpts.related.mixin']
    _description = "Provider API call"
    _order = 'id desc'
    _rec_name = 'endpoint'

    provider = fields.Char(required=True, index=True, help="Technical code of the integration, e.g. mpesa.")
    res_model = fields.Char("Provider Model", index=True)
    res_id = fields.Many2oneReference("Provider Record", model_field='res_model', aggregator=None)
    provider_name = fields.Char()
    endpoint = fields.Char(required=True, help="A short name of the operation, e.g. stk_push.")
    method = fields.Char("HTTP Method", required=True)
    url = fields.Char("URL", required=True)
    status_code = fields.Integer("HTTP Status", aggregator=None,
                                 help="0 when no answer came back (timeout, connection error).")
    success = fields.Boolean(index=True)
    duration_ms = fields.Integer("Duration (ms)", aggregator='avg')
    attempt = fields.Integer(default=1, aggregator=None)
    error = fields.Text()
    request_headers = fields.Text()
    request_body = fields.Text()
    response_body = fields.Text()
    company_id = fields.Many2one('res.company', index=True)
    request_body_display = fields.Text("Request Body (formatted)", compute='_compute_display')
    response_body_display = fields.Text("Response Body (formatted)", compute='_compute_display')

    @api.depends('request_body', 'response_body')
    def _compute_display(self):
        for call in self:
            call.request_body_display = pretty_json(call.request_body)
            call.response_body_display = pretty_json(call.response_body)

    @api.autovacuum
    def _gc_old_calls(self):
        """Retention: calls older than the configured number of days are deleted."""
        days = int(self.env['ir.config_parameter'].sudo().get_param('ddcpts_base.provider_call_retention_days', 30))
        self.sudo().search(
            [('create_date', '<', fields.Datetime.now() - timedelta(days=days))], limit=models.GC_UNLINK_LIMIT,
        ).unlink()
