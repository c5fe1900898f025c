from odoo import api, fields, models

from odoo.addons.ddcpts_kra_etims.tools.kra_format import to_float


class DdcptsEtimsCode(models.Model):
    """One entry of KRA's code lists (selectCodeList): tax types, units, payment types, reasons…

    Shipped with the codes of the specification, then kept up to date from eTIMS.
    """
    _name = 'ddcpts.etims.code'
    _inherit = ['ddcpts.etims.reference.mixin']
    _description = "eTIMS code"
    _order = 'class_code, sort_order, code'
    _rec_names_search = ['code', 'name']

    class_code = fields.Char("Code Class", required=True, index=True,
                             help="cdCls, e.g. 04 tax types, 10 quantity units.")
    class_name = fields.Char("Code Class Name")
    code = fields.Char(required=True, index=True)
    name = fields.Char(required=True, translate=True)
    description = fields.Char()
    sort_order = fields.Integer()
    user_defined_1 = fields.Char("User Defined 1", help="e.g. the rate of a tax type.")
    active = fields.Boolean(default=True)

    _sql_constraints = [('code_unique', 'UNIQUE(class_code, code)', "A code is unique within its class.")]

    @api.depends('code', 'name')
    def _compute_display_name(self):
        for code in self:
            code.display_name = f'{code.code} - {code.name}'

    @api.model
    def _etims_import(self, data):
        """Create or update the codes of ``data.clsList``; ``useYn = N`` archives a code."""
        vals_list = []
        for code_class in data.get('clsList') or []:
            class_code = str(code_class.get('cdCls') or '').strip()
            if not class_code:
                continue
            for detail in code_class.get('dtlList') or []:
                code = str(detail.get('cd') or '').strip()
                if not code:
                    continue
                vals_list.append({
                    'class_code': class_code,
                    'class_name': code_class.get('cdClsNm'),
                    'code': code,
                    'name': detail.get('cdNm') or code,
                    'description': detail.get('cdDesc'),
                    'sort_order': int(to_float(detail.get('srtOrd'))),
                    'user_defined_1': detail.get('userDfnCd1'),
                    'active': detail.get('useYn', 'Y') != 'N',
                })
        self._etims_upsert(['class_code', 'code'], vals_list)
