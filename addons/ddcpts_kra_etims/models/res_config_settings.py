from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    etims_auto_send = fields.Boolean(related='company_id.etims_auto_send', readonly=False)
