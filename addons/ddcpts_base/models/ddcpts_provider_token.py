from odoo import fields, models


class DdcptsProviderToken(models.Model):
    """Bearer token cache, one row per provider record and scope, shared by every worker.

    Rows are only read and written by ``ddcpts.provider.mixin._ddcpts_bearer_token`` under a row
    lock, so that several workers never refresh the same token at once (Daraja may invalidate the
    previous token on each refresh).
    """
    _name = 'ddcpts.provider.token'
    _description = "Provider access token cache"
    _log_access = False

    res_model = fields.Char(required=True)
    res_id = fields.Many2oneReference(model_field='res_model', required=True, aggregator=None)
    scope = fields.Char(required=True, default='default')
    ciphertext = fields.Text()
    expires_at = fields.Datetime()

    _sql_constraints = [
        ('token_unique', 'UNIQUE(res_model, res_id, scope)', "One cached token per provider and scope."),
    ]
