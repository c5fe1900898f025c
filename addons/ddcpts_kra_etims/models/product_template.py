from odoo import api, fields, models

from odoo.addons.ddcpts_kra_etims import const

# what KRA knows of an item: a change sends saveItem again
ITEM_FIELDS = frozenset({
    'name', 'barcode', 'list_price', 'uom_id', 'taxes_id', 'etims_item_class_id', 'etims_item_type',
    'etims_packaging_unit_id', 'etims_origin_country_id', 'etims_insurance_applicable', 'active',
})


class ProductTemplate(models.Model):
    _inherit = 'product.template'

    etims_item_class_id = fields.Many2one('ddcpts.etims.item.class', "KRA Item Classification",
                                          help="itemClsCd the item is registered with in eTIMS.")
    etims_item_type = fields.Selection(
        const.ITEM_TYPES, "KRA Item Type", compute='_compute_etims_item_type', store=True, readonly=False,
        precompute=True)
    etims_packaging_unit_id = fields.Many2one(
        'ddcpts.etims.code', "KRA Packaging Unit", domain=[('class_code', '=', const.CODE_CLASS_PACKAGING_UNIT)],
        default=lambda self: self.env.ref('ddcpts_kra_etims.etims_code_17_NT', raise_if_not_found=False))
    etims_origin_country_id = fields.Many2one('res.country', "Origin Country",
                                              default=lambda self: self.env.ref('base.ke', raise_if_not_found=False))
    etims_insurance_applicable = fields.Boolean("Insurance Applicable", help="isrcAplcbYn of the item.")
    etims_item_code = fields.Char("KRA Item Code", compute='_compute_etims_item_code',
                                  help="Item code of the product (of its only variant) in eTIMS.")

    @api.depends('type')
    def _compute_etims_item_type(self):
        for template in self:
            template.etims_item_type = '3' if template.type == 'service' else (template.etims_item_type or '2')

    @api.depends_context('company')
    @api.depends('product_variant_ids.etims_item_code')
    def _compute_etims_item_code(self):
        for template in self:
            variants = template.product_variant_ids
            template.etims_item_code = variants.etims_item_code if len(variants) == 1 else False

    def write(self, vals):
        result = super().write(vals)
        if ITEM_FIELDS & vals.keys():
            self.product_variant_ids._etims_item_changed()
        return result
