from odoo import api, fields, models


class DdcptsSaccoCodeMixin(models.AbstractModel):
    """Products members and employers name by a short code (paybill references, check-off files, USSD,
    JSON-RPC): the code is kept upper-case and without surrounding spaces, however it was typed."""
    _name = 'ddcpts.sacco.code.mixin'
    _description = "SACCO Product Code"

    code = fields.Char(required=True)

    @api.model
    def _sacco_normalize_code(self, vals):
        if vals.get('code'):
            vals['code'] = vals['code'].strip().upper()
        return vals

    @api.onchange('code')
    def _onchange_code(self):
        if self.code:
            self.code = self.code.strip().upper()

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._sacco_normalize_code(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._sacco_normalize_code(vals))
