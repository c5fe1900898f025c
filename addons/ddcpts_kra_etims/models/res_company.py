from odoo import fields, models


class ResCompany(models.Model):
    _inherit = 'res.company'

    etims_auto_send = fields.Boolean(
        "Send Invoices to eTIMS When Posted", default=True,
        help="Off: posted invoices wait until someone clicks Send to eTIMS.")
    etims_device_ids = fields.One2many('ddcpts.etims.device', 'company_id', "eTIMS Devices")
