from urllib.parse import urlparse

from odoo import _, api, fields, models

from odoo.addons.ddcpts_base.tools.actions import notification


class DdcptsMomoSandboxSetup(models.TransientModel):
    """What integrators do with a setup script, inside Odoo: from a sandbox subscription key, create the
    API user and API key of a MoMo provider and store them. Running it again keeps what still works."""
    _name = 'ddcpts.momo.sandbox.setup'
    _description = "Create an MTN MoMo sandbox API user"

    provider_id = fields.Many2one('payment.provider', required=True, readonly=True,
                                  domain="[('code', '=', 'momo')]")
    subscription_key = fields.Char("Collection Subscription Key", required=True,
                                   help="Primary key of your Collection subscription on momodeveloper.mtn.com.")
    callback_host = fields.Char("Callback Host", required=True, compute='_compute_callback_host', store=True,
                                readonly=False, precompute=True,
                                help="providerCallbackHost: the host MTN may call back (callbacks to other hosts "
                                     "are refused).")

    @api.depends('provider_id')
    def _compute_callback_host(self):
        for wizard in self:
            provider = wizard.provider_id
            wizard.callback_host = provider.momo_callback_host or urlparse(
                provider.ddcpts_public_url or provider.get_base_url()).hostname if provider else False

    def action_create(self):
        self.ensure_one()
        created = self.provider_id._momo_provision_sandbox_user(self.subscription_key.strip(),
                                                                self.callback_host.strip().lower())
        action = notification(
            _("Sandbox API user %s created and its API key stored.", self.provider_id.momo_api_user) if created
            else _("The sandbox API user %s is ready (its API key works).", self.provider_id.momo_api_user),
            _("MTN MoMo sandbox"), reload=True)
        return action
