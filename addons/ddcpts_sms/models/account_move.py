from odoo import models


class AccountMove(models.Model):
    _inherit = 'account.move'

    def _ddcpts_payment_url(self):
        """Full URL of the invoice on the portal, where the customer pays it (used by the templates)."""
        self.ensure_one()
        return self.get_base_url() + self.get_portal_url()
