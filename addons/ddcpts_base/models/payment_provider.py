from odoo import api, models


class PaymentProvider(models.Model):
    """Payment providers of mobile-money integrations (M-Pesa, MoMo…) use the foundation's HTTP client,
    token cache, callback token and health checks; the other providers (Stripe, PayPal…) are left alone."""
    _name = 'payment.provider'
    _inherit = ['payment.provider', 'ddcpts.provider.mixin']

    def _ddcpts_health_check_records(self):
        """Check the providers of integrations (those with a provider code) that are in use."""
        return super()._ddcpts_health_check_records().filtered(
            lambda provider: provider.state != 'disabled' and provider._ddcpts_is_integration()
        )

    def _ddcpts_is_integration(self):
        try:
            self._ddcpts_provider_code()
        except NotImplementedError:
            return False
        return True

    @api.model
    def _ddcpts_mobile_provider_codes(self):
        """Codes of the providers that can ask a payer's phone to pay (``payment.transaction.
        _ddcpts_send_mobile_request``); each mobile-money addon adds its own."""
        return []

    def _ddcpts_mobile_provider(self, code, company):
        """The provider ``code`` (None: any mobile-money provider) in use in ``company`` (enabled before
        test mode), or an empty recordset."""
        codes = [code] if code else self._ddcpts_mobile_provider_codes()
        return self.sudo().search([
            ('code', 'in', codes), ('state', '!=', 'disabled'), ('company_id', '=', company.id),
        ], order='state, sequence, id', limit=1)
