from odoo import api, fields, models

from odoo.addons.ddcpts_base.tools.identity import clean_ghana_tin, clean_kra_pin

TAX_ID_CLEANERS = {'kra_pin': clean_kra_pin, 'ghana_tin': clean_ghana_tin}


class ResPartner(models.Model):
    _inherit = 'res.partner'

    kra_pin = fields.Char("KRA PIN", index='btree_not_null', tracking=True,
                          help="Kenya Revenue Authority Personal Identification Number, e.g. P051365947M.")
    ghana_tin = fields.Char("Ghana TIN", index='btree_not_null', tracking=True,
                            help="Ghana Revenue Authority Taxpayer Identification Number, e.g. C0000803561.")

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._ddcpts_clean_tax_ids(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._ddcpts_clean_tax_ids(vals))

    @api.model
    def _ddcpts_clean_tax_ids(self, vals):
        """Validate and store tax ids in their compact form (a ValidationError names the bad value)."""
        cleaned = dict(vals)
        for field_name, clean in TAX_ID_CLEANERS.items():
            if cleaned.get(field_name):
                cleaned[field_name] = clean(cleaned[field_name])
        return cleaned
