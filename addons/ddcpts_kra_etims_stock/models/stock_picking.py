from odoo import _, api, fields, models

from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_kra_etims.exceptions import EtimsRejected
from odoo.addons.ddcpts_kra_etims_stock.const import RETURN_TYPES


class StockPicking(models.Model):
    """A validated transfer that changes the branch's stock, reported to eTIMS.

    ``insertStockIO`` (numbered ``sarNo`` per branch, like sales invoices: the number is committed
    before the call and kept across retries; sent by the queue mixin), then ``saveStockMaster`` with
    the quantity left of each product in the warehouse.
    """
    _inherit = ['stock.picking', 'ddcpts.etims.queue.mixin']
    _name = 'stock.picking'
    _etims_numbering = 'stock'
    _etims_number_field = 'etims_stock_number'
    _etims_number_key = 'sarNo'
    _etims_state_field = 'etims_stock_state'
    _etims_queue_order = 'date_done, id'
    _etims_endpoint = 'insertStockIO'

    etims_stock_state = fields.Selection([
        ('to_send', "Queued"),
        ('sending', "Retrying"),
        ('sent', "Reported"),
        ('error', "Error"),
    ], "eTIMS Status", copy=False, readonly=True, index=True)
    etims_stock_number = fields.Integer("eTIMS Stock Number", copy=False, readonly=True, help="sarNo")

    def init(self):
        super().init()
        # an eTIMS stock movement number is used once per branch (0: none yet)
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS stock_picking_etims_stock_number_unique
                ON stock_picking (etims_device_id, etims_stock_number) WHERE etims_stock_number > 0
        """)

    def _etims_stock_type(self):
        self.ensure_one()
        if self.return_id and self.picking_type_id.code in RETURN_TYPES:
            return RETURN_TYPES[self.picking_type_id.code]
        return self.picking_type_id.etims_stock_type

    def _action_done(self):
        result = super()._action_done()
        Device = self.env['ddcpts.etims.device']
        pickings = self.filtered(lambda picking: picking.state == 'done' and not picking.etims_stock_state
                                 and picking._etims_stock_type())
        for picking in pickings:
            device = Device._etims_device_for(picking.company_id)
            if device:
                picking._etims_write({'etims_device_id': device.id, 'etims_stock_state': 'to_send'})
        pickings.etims_device_id._etims_schedule_queue()
        return result

    def action_etims_send_stock(self):
        """Button: send again a movement KRA refused (after fixing the products)."""
        for picking in self.filtered(lambda picking: picking.etims_stock_state == 'error'):
            picking._etims_write({'etims_stock_state': 'to_send', 'etims_next_attempt_at': False})
        self.etims_device_id._etims_schedule_queue()
        return notification(_("Sent to eTIMS: the status shows the result."), kind='info', reload=True)

    @api.model
    def _etims_queue_waits(self, device):
        """Stock movements go after the sales, as KRA wants them: they wait while sales of the branch wait."""
        return bool(self.env['account.move'].search_count(
            [('etims_device_id', '=', device.id), ('etims_state', 'in', ('to_send', 'sending'))], limit=1))

    def _etims_queue_payload(self):
        """The ``insertStockIO`` body."""
        Payload = self.env['ddcpts.etims.payload']
        quantities, tax_types = Payload._etims_stock_quantities(self)
        for product, tax_type in tax_types.items():
            product._etims_ensure_known(self.etims_device_id, tax_type)
        return Payload._etims_stock_vals(self, quantities, tax_types)

    def _etims_queue_done(self, result):
        """KRA holds the movement under its sarNo: ``saveStockMaster`` with the quantity left of each
        moved product. A refusal of it leaves the movement in error (its number is kept)."""
        device = self.etims_device_id
        warehouse = self.picking_type_id.warehouse_id
        user_vals = self.env['ddcpts.etims.payload']._etims_user_vals()
        quantities, _tax_types = self.env['ddcpts.etims.payload']._etims_stock_quantities(self)
        try:
            for product in quantities:
                remaining = product.with_context(warehouse_id=warehouse.id).qty_available if warehouse else \
                    product.with_company(self.company_id).qty_available
                device._etims_call('saveStockMaster', {
                    'itemCd': product.with_company(self.company_id).etims_item_code, 'rsdQty': remaining, **user_vals,
                }, related=self)
        except EtimsRejected as error:
            self._etims_queue_failed(error)
            return
        self._etims_write({'etims_stock_state': 'sent', 'etims_error': False, 'etims_next_attempt_at': False})
        self._etims_log(_("Reported to eTIMS as stock movement %s.", self.etims_stock_number))

    def _etims_queue_duplicate(self):
        """994: KRA has the movement from an attempt whose answer was lost."""
        self._etims_queue_done({})

    def _etims_queue_failed(self, error):
        self._etims_write({'etims_stock_state': 'error', 'etims_error': str(error), 'etims_next_attempt_at': False})
        self._etims_log(_("Not reported to eTIMS: %s", error))
