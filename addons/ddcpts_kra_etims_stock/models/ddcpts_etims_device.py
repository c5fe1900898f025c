from odoo import api, models


class DdcptsEtimsDevice(models.Model):
    _inherit = 'ddcpts.etims.device'

    @api.model
    def _etims_queue_models(self):
        return super()._etims_queue_models() + ['stock.picking']
