from odoo import fields, models


class DdcptsWebhookEvent(models.Model):
    """An event external systems can subscribe to. Each addon ships the events it emits as data."""
    _name = 'ddcpts.webhook.event'
    _description = "Webhook event"
    _order = 'code'
    _rec_name = 'code'

    code = fields.Char(required=True, help="Name sent in the event field of the body, e.g. payout.done.")
    description = fields.Char(translate=True)

    _sql_constraints = [('code_unique', 'UNIQUE(code)', "An event code is unique.")]
