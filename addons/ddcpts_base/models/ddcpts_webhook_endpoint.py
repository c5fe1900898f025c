import json
import secrets
import uuid

from werkzeug.urls import url_parse

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.ddcpts_base.models.ddcpts_secret_mixin import SecretField
from odoo.addons.ddcpts_base.tools import chatter, signature
from odoo.addons.ddcpts_base.tools.actions import notification


class DdcptsWebhookEndpoint(models.Model):
    """A URL of an external system that receives signed JSON events."""
    _name = 'ddcpts.webhook.endpoint'
    _inherit = ['ddcpts.provider.mixin', 'mail.thread']
    _description = "Webhook endpoint"
    _order = 'name'

    name = fields.Char(required=True, tracking=True)
    url = fields.Char("URL", required=True, tracking=True)
    event_ids = fields.Many2many('ddcpts.webhook.event', string="Events", required=True)
    secret = SecretField("Signing Secret", help="Key of the HMAC-SHA256 signature sent in X-DDCPTS-Signature.")
    active = fields.Boolean(default=True, tracking=True)
    timeout = fields.Integer("Timeout (s)", default=10)
    company_id = fields.Many2one('res.company', default=lambda self: self.env.company,
                                 help="Events of this company only; empty: every company.")
    delivery_ids = fields.One2many('ddcpts.webhook.delivery', 'endpoint_id', string="Deliveries")
    delivery_failed_count = fields.Integer(compute='_compute_delivery_failed_count')

    @api.constrains('url')
    def _check_url(self):
        for endpoint in self:
            parsed = url_parse(endpoint.url or '')
            if parsed.scheme not in ('http', 'https') or not parsed.netloc:
                raise ValidationError(_("%s is not an http(s) URL.", endpoint.url))

    @api.depends('delivery_ids.state')
    def _compute_delivery_failed_count(self):
        counts = dict(self.env['ddcpts.webhook.delivery']._read_group(
            [('endpoint_id', 'in', self.ids), ('state', '=', 'failed')], ['endpoint_id'], ['__count'],
        ))
        for endpoint in self:
            endpoint.delivery_failed_count = counts.get(endpoint, 0)

    @api.model_create_multi
    def create(self, vals_list):
        endpoints = super().create(vals_list)
        for endpoint in endpoints.sudo():
            if not endpoint._ddcpts_secret('secret'):
                endpoint._ddcpts_set_secret('secret', secrets.token_urlsafe(32))
        return endpoints

    def _ddcpts_provider_code(self):
        return 'webhook'

    def _ddcpts_health_check(self):
        """Deliver a signed ``ping`` event and expect a 2xx answer."""
        response = self._ddcpts_post(self._ddcpts_envelope('ping', {'endpoint': self.name}), 'ping')
        if not response.ok:
            raise UserError(_("The endpoint answered HTTP %(status)s.", status=response.status_code))

    def _ddcpts_health_check_records(self):
        return self.browse()  # checking means sending a ping: only on demand, never by cron

    def action_generate_secret(self):
        """Button (system administrators): replace the signing secret and show it once."""
        self.ensure_one()
        if not self.env.user.has_group('base.group_system'):
            raise UserError(_("Only system administrators can change a signing secret."))
        new_secret = secrets.token_urlsafe(32)
        self.sudo()._ddcpts_set_secret('secret', new_secret)
        self.message_post(body=_("Signing secret replaced."), **chatter.sender(self.env))
        return notification(new_secret, _("New signing secret (shown once)"), kind='warning', sticky=True)

    @api.model
    def _ddcpts_emit(self, event_code, data, record=None, company=None):
        """Queue ``event_code`` with ``data`` (JSON-serialisable) for every subscribed endpoint.

        This is the API other addons call, e.g. ``env['ddcpts.webhook.endpoint']._ddcpts_emit(
        'payout.done', payout._ddcpts_webhook_data(), record=payout)``. Delivery happens in the
        webhook cron, never in the caller's transaction. ``data`` may be a callable returning it,
        called only when an endpoint is subscribed (for events emitted in a hot path).
        """
        if not self.env['ddcpts.webhook.event'].sudo().search_count([('code', '=', event_code)]):
            raise ValueError(f"Unknown webhook event {event_code!r}: declare it as ddcpts.webhook.event data")
        company = company or (record and 'company_id' in record._fields and record.company_id) or self.env.company
        endpoints = self.sudo().search([
            ('event_ids.code', '=', event_code), ('company_id', 'in', [False, company.id]),
        ])
        if not endpoints:
            return self.env['ddcpts.webhook.delivery']
        data = data() if callable(data) else data
        deliveries = self.env['ddcpts.webhook.delivery'].sudo().create([{
            'endpoint_id': endpoint.id,
            'event': event_code,
            'body': self._ddcpts_envelope(event_code, data),
            'related_model': record._name if record else False,
            'related_id': record.id if record else False,
        } for endpoint in endpoints])
        self.env.ref('ddcpts_base.ir_cron_send_webhooks')._trigger()
        return deliveries

    @api.model
    def _ddcpts_envelope(self, event_code, data):
        """The JSON body: a unique id (receivers dedupe retries with it), the event and its data."""
        return json.dumps({
            'id': str(uuid.uuid4()),
            'event': event_code,
            'created_at': fields.Datetime.now().isoformat() + 'Z',
            'data': data,
        }, default=str)

    def _ddcpts_post(self, body, event_code, related=None):
        """POST a signed body; returns the response (raises ProviderError when unreachable)."""
        self.ensure_one()
        delivery_id = json.loads(body)['id']
        secret = self.sudo()._ddcpts_secret('secret')
        if not secret:
            raise UserError(_("%s has no signing secret: generate one.", self.display_name))
        return self._ddcpts_request(
            'POST', self.url, endpoint=f'webhook:{event_code}', data=body.encode(), timeout=self.timeout,
            idempotent=False, related=related,
            headers={
                'Content-Type': 'application/json',
                'User-Agent': 'DDCPTS-Webhooks/1.0',
                'X-DDCPTS-Event': event_code,
                'X-DDCPTS-Delivery': delivery_id,
                signature.HEADER: signature.sign(secret, body),
            },
        )

    def action_view_deliveries(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _("Deliveries"),
            'res_model': 'ddcpts.webhook.delivery',
            'view_mode': 'list,form',
            'domain': [('endpoint_id', '=', self.id)],
        }
