from odoo import api, fields, models

from odoo.addons.ddcpts_kra_etims_stock import const


class StockPickingType(models.Model):
    _inherit = 'stock.picking.type'

    etims_stock_type = fields.Selection(
        const.STOCK_TYPES, "KRA Stock Movement Type", compute='_compute_etims_stock_type', store=True,
        readonly=False, precompute=True,
        help="sarTyCd reported to eTIMS when an operation of this type is validated (returns are reported as "
             "returns). Empty: not reported, e.g. moves inside the branch.")

    @api.depends('code')
    def _compute_etims_stock_type(self):
        for picking_type in self:
            picking_type.etims_stock_type = const.DEFAULT_TYPES.get(picking_type.code, False)
