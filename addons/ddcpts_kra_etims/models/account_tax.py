from odoo import api, fields, models

from odoo.addons.ddcpts_kra_etims import const

# words in a tax's name, label or description that tell which KRA tax type a 0% tax is
EXEMPT_WORDS = ('exempt',)
NON_VAT_WORDS = ('non-vat', 'non vat', 'no vat', 'not vat')
KENYAN_RATES = {16.0: 'B', 8.0: 'E', 0.0: 'C'}


class AccountTax(models.Model):
    _inherit = 'account.tax'

    etims_tax_type = fields.Selection(
        const.TAX_TYPES, "KRA Tax Type", compute='_compute_etims_tax_type', store=True, readonly=False,
        precompute=True,
        help="KRA eTIMS tax type of this VAT. Kenyan taxes get a default (16% B, 8% E, 0% C, exempt A, "
             "non-VAT D); taxes without one (e.g. withholding) are not VAT for eTIMS.")

    # not on the name: renaming a tax keeps the KRA tax type chosen by hand (the name only guides the default)
    @api.depends('amount', 'amount_type', 'type_tax_use', 'country_id')
    def _compute_etims_tax_type(self):
        for tax in self:
            tax.etims_tax_type = tax._etims_default_tax_type()

    def _etims_default_tax_type(self):
        self.ensure_one()
        if self.country_id.code != 'KE' or self.amount_type != 'percent' or self.type_tax_use not in (
                'sale', 'purchase'):
            return False
        label = ' '.join(str(text or '') for text in (self.name, self.invoice_label, self.description)).lower()
        if any(word in label for word in EXEMPT_WORDS):
            return 'A'
        if any(word in label for word in NON_VAT_WORDS):
            return 'D'
        return KENYAN_RATES.get(self.amount, False)
