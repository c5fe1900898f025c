from odoo import fields, models


class DdcptsEtimsCounter(models.Model):
    """Last number given in a numbering of a device (sales invoices, stock movements).

    Kept out of the device row on purpose: documents reference the device, and under PostgreSQL's
    repeatable read every posting would conflict with a sender updating that row. Only senders,
    one per device at a time, touch a counter.
    """
    _name = 'ddcpts.etims.counter'
    _description = "eTIMS numbering"
    _log_access = False

    device_id = fields.Many2one('ddcpts.etims.device', required=True, ondelete='cascade')
    kind = fields.Char(required=True, help="sale: invcNo of sales invoices and credit notes; stock: sarNo.")
    last_number = fields.Integer(required=True, default=0)

    _sql_constraints = [('kind_unique', 'UNIQUE(device_id, kind)', "A device has one counter per numbering.")]
