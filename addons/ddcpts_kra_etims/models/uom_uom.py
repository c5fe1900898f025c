from odoo import fields, models

from odoo.addons.ddcpts_kra_etims import const


class UomUom(models.Model):
    _inherit = 'uom.uom'

    etims_quantity_unit_id = fields.Many2one(
        'ddcpts.etims.code', "KRA Quantity Unit", domain=[('class_code', '=', const.CODE_CLASS_QUANTITY_UNIT)],
        help="qtyUnitCd sent to eTIMS for quantities in this unit (code list 10).")
