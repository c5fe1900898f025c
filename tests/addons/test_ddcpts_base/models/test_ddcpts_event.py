from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools import schema

EVENT_CALLBACK = schema.Object({
    'event_id': schema.String(max_length=64),
    'amount': schema.Amount(accept_strings=False, required=False, default=0),
    'crash': schema.Boolean(required=False, default=False),
})


class DdcptsTestEvent(models.Model):
    """What the fake provider's event callbacks book (unique on the provider's event id)."""
    _name = 'test.ddcpts.event'
    _description = "DDCPTS test event"

    event_id = fields.Char(required=True)
    amount = fields.Float()
    provider_id = fields.Many2one('test.ddcpts.provider', required=True)

    _sql_constraints = [('event_unique', 'UNIQUE(event_id)', "An event is booked once.")]

    def _process_event_callback(self, callback):
        payload = callback._ddcpts_payload(EVENT_CALLBACK)
        event_id, amount = payload['event_id'], float(payload['amount'])
        provider = callback._ddcpts_provider_record()
        self.env.cr.execute("SELECT id FROM test_ddcpts_event WHERE event_id = %s FOR UPDATE", [event_id])
        existing = self.env.cr.fetchone()
        if existing:
            callback._ddcpts_mark_duplicate(reference=event_id)
            return {'event': existing[0], 'duplicate': True}
        event = self.create({'event_id': event_id, 'amount': amount, 'provider_id': provider.id})
        if payload['crash']:
            raise RuntimeError("crash after booking the event")
        if not provider.accepts_events:
            raise UserError(_("The provider does not accept events yet."))
        callback._ddcpts_link(event, reference=event_id)
        return {'event': event.id, 'duplicate': False}

    def _process_noop_callback(self, callback):
        return {'received': callback.id}
