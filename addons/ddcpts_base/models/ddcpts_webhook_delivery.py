import json
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_base.tools.locking import process_queue

# seconds waited after the 1st, 2nd, … failed attempt; one more failure marks the delivery failed
WEBHOOK_RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600)
BATCH_SIZE = 200


class DdcptsWebhookDelivery(models.Model):
    """One event queued for one endpoint, sent by cron with exponential backoff."""
    _name = 'ddcpts.webhook.delivery'
    _inherit = ['ddcpts.related.mixin']
    _description = "Webhook delivery"
    _order = 'id desc'
    _rec_name = 'event'

    endpoint_id = fields.Many2one('ddcpts.webhook.endpoint', required=True, ondelete='cascade', index=True,
                                  readonly=True)
    company_id = fields.Many2one(related='endpoint_id.company_id', store=True)
    event = fields.Char(required=True, index=True, readonly=True)
    event_uid = fields.Char("Event ID", compute='_compute_event_uid', store=True,
                            help="Sent in the body and the X-DDCPTS-Delivery header: receivers dedupe with it.")
    body = fields.Text(required=True, readonly=True)
    state = fields.Selection(
        [('pending', "Pending"), ('done', "Delivered"), ('failed', "Failed")],
        required=True, default='pending', index=True, readonly=True,
    )
    attempt_count = fields.Integer(readonly=True, aggregator=None)
    next_attempt_at = fields.Datetime(default=fields.Datetime.now, index=True, readonly=True)
    last_attempt_at = fields.Datetime(readonly=True)
    last_status_code = fields.Integer("Last HTTP Status", readonly=True, aggregator=None)
    last_error = fields.Text(readonly=True)

    @api.depends('body')
    def _compute_event_uid(self):
        for delivery in self:
            delivery.event_uid = json.loads(delivery.body).get('id') if delivery.body else False

    @api.model
    def _cron_send_due(self):
        """Send due deliveries one by one, each claimed first (safe with many workers); deliveries of
        an archived endpoint wait until it is active again."""
        domain = [('state', '=', 'pending'), ('next_attempt_at', '<=', fields.Datetime.now()),
                  ('endpoint_id.active', '=', True)]
        process_queue(self, domain, lambda delivery: delivery._ddcpts_send(), limit=BATCH_SIZE,
                      order='next_attempt_at, id', cron_xmlid='ddcpts_base.ir_cron_send_webhooks')

    def _ddcpts_send(self):
        self.ensure_one()
        now = fields.Datetime.now()
        try:
            response = self.endpoint_id._ddcpts_post(self.body, self.event, related=self)
            status = response.status_code
            error = not response.ok and f'HTTP {status}: {response.text[:500]}'
        except UserError as exception:  # unreachable (ProviderError), or no usable signing secret
            status, error = 0, str(exception)
        attempts = self.attempt_count + 1
        values = {'attempt_count': attempts, 'last_attempt_at': now, 'last_status_code': status,
                  'last_error': error or False}
        if not error:
            values['state'] = 'done'
        elif attempts > len(WEBHOOK_RETRY_DELAYS):
            values['state'] = 'failed'
        else:
            values['next_attempt_at'] = now + timedelta(seconds=WEBHOOK_RETRY_DELAYS[attempts - 1])
        self.write(values)

    def action_resend(self):
        """Button: queue the same event (same id) again, with a fresh retry schedule."""
        self.write({'state': 'pending', 'attempt_count': 0, 'next_attempt_at': fields.Datetime.now()})
        self.env.ref('ddcpts_base.ir_cron_send_webhooks')._trigger()
        return notification(_("The delivery is queued again."), kind='info', reload=True)
