from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.ddcpts_base.tools.locking import lock_rows


class DdcptsProviderToken(models.Model):
    """Bearer token cache, one row per provider record and scope, shared by every worker.

    Rows are only read and written by ``ddcpts.provider.mixin._ddcpts_bearer_token`` (and
    ``_ddcpts_invalidate_token``) under a row lock (``tools/locking.py``), so that several workers
    never refresh the same token at once (Daraja may invalidate the previous token on each refresh).
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

    @api.model
    def _ddcpts_cache_row(self, res_model, res_id, scope):
        return self.search([('res_model', '=', res_model), ('res_id', '=', res_id), ('scope', '=', scope)])

    @api.model
    def _ddcpts_lock_cache_row(self, res_model, res_id, scope):
        """The cache row of a provider record and scope, created when missing, then locked (waiting
        while another worker refreshes it).

        The row is inserted with ``ON CONFLICT DO NOTHING`` (the ORM has no upsert), so two workers
        creating it at once do not fail on the unique key; in both statements a row another worker
        created or changed since this transaction began raises ``SerializationFailure``, which the
        caller retries with a fresh snapshot.
        """
        self.env.cr.execute(SQL(
            "INSERT INTO ddcpts_provider_token (res_model, res_id, scope) VALUES (%s, %s, %s) "
            "ON CONFLICT (res_model, res_id, scope) DO NOTHING", res_model, res_id, scope,
        ), log_exceptions=False)
        return lock_rows(self._ddcpts_cache_row(res_model, res_id, scope))
