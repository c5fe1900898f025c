from odoo import models


class DdcptsEtimsDevice(models.Model):
    _inherit = 'ddcpts.etims.device'

    def _etims_process_other_queues(self, limit):
        """Stock movements go after the sales of the same run, as KRA wants them."""
        super()._etims_process_other_queues(limit)
        for _count in range(limit):
            picking = self.env['stock.picking']._etims_next_in_stock_queue(self)
            if not picking or not picking._etims_send_stock():
                break
            self.env.cr.commit()
        return True
