from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.exceptions import ProviderError
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_sms.exceptions import GatewayUnavailable
from odoo.addons.ddcpts_sms.tools.sms_length import sms_length


class DdcptsSmsGatewayTest(models.TransientModel):
    """"Send test SMS": one message through this gateway only (no failover), to check its setup."""
    _name = 'ddcpts.sms.gateway.test'
    _description = "Send a test SMS through a gateway"

    gateway_id = fields.Many2one('ddcpts.sms.gateway', required=True, ondelete='cascade')
    number = fields.Char(required=True, default=lambda self: self.env.user.partner_id.mobile or False)
    body = fields.Text("Message", required=True, default=lambda self: _("Test SMS from Odoo."))
    segments = fields.Integer("Parts", compute='_compute_segments')

    @api.depends('body')
    def _compute_segments(self):
        for wizard in self:
            wizard.segments = sms_length(wizard.body).parts

    def action_send(self):
        self.ensure_one()
        gateway = self.gateway_id.sudo()
        # a national number is read as one of the gateway's countries first, then the company's
        countries = gateway.country_ids | gateway.company_id.country_id | self.env.company.country_id
        number = next(filter(None, (self._phone_format_number(self.number, country, force_format='E164')
                                    for country in countries or [False])), False)
        if not number:
            raise UserError(_("%s is not a valid phone number.", self.number))
        try:
            outcome = gateway._ddcpts_send_batch(self.body, [number])[0]
        except (GatewayUnavailable, ProviderError) as error:
            return notification(str(error), _("%s could not send the SMS", gateway.name), kind='danger', sticky=True)
        self.env['ddcpts.sms.message'].sudo().create(self.env['ddcpts.sms.message']._ddcpts_values(
            gateway, outcome, number, sms_length(self.body), company=gateway.company_id or self.env.company,
        ))
        if not outcome.accepted:
            return notification(outcome.reason or outcome.failure_type, _("%s refused the SMS", gateway.name),
                                kind='warning', sticky=True)
        return notification(_("%(gateway)s accepted the SMS to %(number)s (message id %(id)s).",
                              gateway=gateway.name, number=number, id=outcome.message_id or '-'))
