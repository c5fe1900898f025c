import hashlib
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools import crypto
from odoo.addons.ddcpts_base.tools.actions import notification

HEALTH_TOKEN_PARAM = 'ddcpts_base.health_token_hash'


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    ddcpts_encryption_configured = fields.Boolean(
        "Encryption Key Configured", compute='_compute_ddcpts_encryption_configured')
    ddcpts_callback_retention_days = fields.Integer(
        "Keep Processed Callbacks (days)", config_parameter='ddcpts_base.callback_retention_days', default=90)
    ddcpts_provider_call_retention_days = fields.Integer(
        "Keep Provider Calls (days)", config_parameter='ddcpts_base.provider_call_retention_days', default=30)
    ddcpts_health_token_set = fields.Boolean("Health Token Set", compute='_compute_ddcpts_health_token_set')

    @api.depends('company_id')  # a dependency, so that the settings form computes it too
    def _compute_ddcpts_encryption_configured(self):
        self.ddcpts_encryption_configured = crypto.is_configured()

    @api.depends('company_id')
    def _compute_ddcpts_health_token_set(self):
        self.ddcpts_health_token_set = bool(self.env['ir.config_parameter'].sudo().get_param(HEALTH_TOKEN_PARAM))

    def action_ddcpts_rotate_encryption_key(self):
        """Re-encrypt every stored secret with the first key of ddcpts_encryption_key."""
        self._ddcpts_check_system()
        count = self.env['ddcpts.secret']._rotate_encryption_key()
        return notification(_("%s secret(s) re-encrypted with the newest key.", count), _("Encryption key rotated"))

    def action_ddcpts_generate_health_token(self):
        """Create a token for monitoring tools calling /ddcpts/health; only its hash is kept."""
        self._ddcpts_check_system()
        token = secrets.token_urlsafe(32)
        self.env['ir.config_parameter'].sudo().set_param(HEALTH_TOKEN_PARAM, hashlib.sha256(token.encode()).hexdigest())
        return notification(token, _("New health token (shown once)"), sticky=True)

    @api.model
    def _ddcpts_check_health_token(self, token):
        expected = self.env['ir.config_parameter'].sudo().get_param(HEALTH_TOKEN_PARAM)
        return bool(expected and token) and secrets.compare_digest(expected, hashlib.sha256(token.encode()).hexdigest())

    def _ddcpts_check_system(self):
        if not self.env.user.has_group('base.group_system'):
            raise UserError(_("Only system administrators can do this."))
