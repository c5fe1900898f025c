from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = 'account.move.line'

    # how the supplier registered the item, on bills fetched from eTIMS (sent back in insertTrnsPurchase)
    etims_supplier_item_code = fields.Char("Supplier Item Code", copy=False)
    etims_supplier_item_class = fields.Char("Supplier Item Classification", copy=False)
    etims_supplier_item_name = fields.Char("Supplier Item Name", copy=False)
