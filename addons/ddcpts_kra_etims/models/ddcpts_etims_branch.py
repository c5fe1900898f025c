from odoo import api, fields, models


class DdcptsEtimsBranch(models.Model):
    """A branch of the taxpayer as registered with KRA (selectBhfList)."""
    _name = 'ddcpts.etims.branch'
    _inherit = ['ddcpts.etims.reference.mixin']
    _description = "eTIMS branch"
    _order = 'company_id, branch_code'

    company_id = fields.Many2one('res.company', required=True, index=True)
    device_id = fields.Many2one('ddcpts.etims.device', "Fetched By", ondelete='set null')
    tin = fields.Char("KRA PIN", required=True)
    branch_code = fields.Char("Branch ID", required=True)
    name = fields.Char(required=True)
    status = fields.Char(help="bhfSttsCd: 01 active.")
    head_office = fields.Boolean()
    province = fields.Char()
    district = fields.Char()
    sector = fields.Char()
    location = fields.Char()
    manager_name = fields.Char()
    manager_phone = fields.Char()
    manager_email = fields.Char()
    has_device = fields.Boolean(compute='_compute_has_device')

    _sql_constraints = [('branch_unique', 'UNIQUE(tin, branch_code)', "A branch of a taxpayer is listed once.")]

    def _compute_has_device(self):
        devices = {(device.tin, device.branch_code) for device in self.env['ddcpts.etims.device'].search([])}
        for branch in self:
            branch.has_device = (branch.tin, branch.branch_code) in devices

    @api.model
    def _etims_import(self, device, data):
        vals_list = []
        for entry in data.get('bhfList') or []:
            code = str(entry.get('bhfId') or '').strip()
            if not code:
                continue
            tin = entry.get('tin') or device.tin
            vals_list.append({
                'company_id': device.company_id.id,
                'device_id': device.id,
                'tin': tin,
                'branch_code': code,
                'name': entry.get('bhfNm') or code,
                'status': entry.get('bhfSttsCd'),
                'head_office': entry.get('hqYn') == 'Y',
                'province': entry.get('prvncNm'),
                'district': entry.get('dstrtNm'),
                'sector': entry.get('sctrNm'),
                'location': entry.get('locDesc'),
                'manager_name': entry.get('mgrNm'),
                'manager_phone': entry.get('mgrTelNo'),
                'manager_email': entry.get('mgrEmail'),
            })
        self._etims_upsert(['tin', 'branch_code'], vals_list)
