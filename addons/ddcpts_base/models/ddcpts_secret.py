from odoo import api, fields, models

from odoo.addons.ddcpts_base.tools import crypto


class DdcptsSecret(models.Model):
    """Ciphertext of one secret field of one record.

    Secrets live in this single table rather than in columns of each provider model so that no
    provider table ever holds a credential, and so that a key rotation is one loop over one table.
    Nobody has access rights on it: only code reads it, through ``ddcpts.secret.mixin``.
    """
    _name = 'ddcpts.secret'
    _description = "Encrypted secret"
    _log_access = False

    res_model = fields.Char(required=True, index=True)
    res_id = fields.Many2oneReference(model_field='res_model', required=True, aggregator=None)
    field_name = fields.Char(required=True)
    ciphertext = fields.Text(required=True)

    _sql_constraints = [
        ('secret_unique', 'UNIQUE(res_model, res_id, field_name)', "A field of a record has one secret."),
    ]

    @api.model
    def _rotate_encryption_key(self):
        """Re-encrypt every secret with the newest configured key; return how many were rotated.

        Run it after prepending a new key to ``ddcpts_encryption_key`` and before removing the
        old one (Settings > East Africa Integrations > Rotate encryption key, or an Odoo shell).
        """
        secrets = self.sudo().search([])
        for secret in secrets:
            secret.ciphertext = crypto.rotate(secret.ciphertext)
        # cached access tokens are encrypted too: forget them, providers issue new ones on the next call
        self.env['ddcpts.provider.token'].sudo().search([]).unlink()
        return len(secrets)
