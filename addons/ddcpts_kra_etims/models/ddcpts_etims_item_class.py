from odoo import api, fields, models

from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.tools.kra_format import to_float


class DdcptsEtimsItemClass(models.Model):
    """KRA item classification (selectItemClsList): the 10-digit itemClsCd every item is registered with."""
    _name = 'ddcpts.etims.item.class'
    _inherit = ['ddcpts.etims.reference.mixin']
    _description = "eTIMS item classification"
    _order = 'code'
    _rec_names_search = ['code', 'name']

    code = fields.Char(required=True, index=True)
    name = fields.Char(required=True)
    level = fields.Integer()
    tax_type = fields.Selection(const.TAX_TYPES, "Tax Type")
    major_target = fields.Boolean()
    active = fields.Boolean(default=True)

    _sql_constraints = [('code_unique', 'UNIQUE(code)', "An item classification code is unique.")]

    @api.depends('code', 'name')
    def _compute_display_name(self):
        for item_class in self:
            item_class.display_name = f'{item_class.code} {item_class.name}'

    @api.model
    def _etims_import(self, data):
        tax_types = dict(const.TAX_TYPES)
        vals_list = []
        for entry in data.get('itemClsList') or []:
            code = str(entry.get('itemClsCd') or '').strip()
            if not code:
                continue
            vals_list.append({
                'code': code,
                'name': entry.get('itemClsNm') or code,
                'level': int(to_float(entry.get('itemClsLvl'))),
                'tax_type': entry.get('taxTyCd') if entry.get('taxTyCd') in tax_types else False,
                'major_target': entry.get('mjrTgYn') == 'Y',
                'active': entry.get('useYn', 'Y') != 'N',
            })
        self._etims_upsert(['code'], vals_list)
