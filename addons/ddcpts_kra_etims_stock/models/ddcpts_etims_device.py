from odoo import models


class DdcptsEtimsDevice(models.Model):
    _inherit = 'ddcpts.etims.device'

    def _etims_process_other_queues(self, limit):
        """Stock movements go after the sales, as KRA wants them: they wait while sales of the branch wait."""
        super()._etims_process_other_queues(limit)
        if self.env['account.move'].search_count(
                [('etims_device_id', '=', self.id), ('etims_state', 'in', ('to_send', 'sending'))], limit=1):
            return True
        for _count in range(limit):
            picking = self.env['stock.picking']._etims_next_in_stock_queue(self)
            if not picking or not picking._etims_send_stock():
                break
            self.env.cr.commit()
        return True
