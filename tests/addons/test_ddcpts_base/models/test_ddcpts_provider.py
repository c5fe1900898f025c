from odoo import fields, models

from odoo.addons.ddcpts_base.models.ddcpts_secret_mixin import SecretField

CALLBACK_PREFIX = '/ddcpts/test'


class DdcptsTestProvider(models.Model):
    """A provider speaking the simulator's generic ``echo`` API."""
    _name = 'test.ddcpts.provider'
    _inherit = ['ddcpts.provider.mixin']
    _description = "DDCPTS test provider"

    name = fields.Char(required=True)
    base_url = fields.Char(required=True)
    api_user = fields.Char(default='test-user')
    api_key = SecretField("API Key")
    accepts_events = fields.Boolean(default=True, help="When off, event callbacks fail (to test reprocessing).")
    company_id = fields.Many2one('res.company', default=lambda self: self.env.company)

    def _ddcpts_provider_code(self):
        return 'test'

    def _ddcpts_health_check(self):
        self._get_token()

    def _get_token(self):
        def fetch():
            response = self._ddcpts_request(
                'POST', f'{self.base_url}/echo/oauth/token', endpoint='token', idempotent=True,
                auth=(self.api_user, self._ddcpts_secret('api_key')),
            )
            response.raise_for_status()
            return response.json()['access_token'], response.json()['expires_in']
        return self._ddcpts_bearer_token(fetch)

    def _call_api(self, method, path, **kwargs):
        return self._ddcpts_request(
            method, f'{self.base_url}/echo/api/{path}', endpoint=path,
            headers={'Authorization': f'Bearer {self._get_token()}'}, **kwargs,
        )
