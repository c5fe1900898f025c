from odoo import fields, models


class DdcptsEtimsCounter(models.Model):
    """Last number given in a numbering of a device: sales ``invcNo``, purchases ``invcNo``, stock ``sarNo``.

    The one numbering mechanism of eTIMS documents. KRA wants the numbers of a branch gap-free and
    never used twice, so a number is taken only at the moment the document is sent, under this
    row's lock (``lock_rows``), committed with the document before the call and kept once KRA has
    it; a number KRA refused is given back when it is still the last one. An ``ir.sequence`` does
    not fit: its standard implementation leaves gaps on rollback, and its no-gap one is per company,
    not per branch, and holds its lock until the whole posting transaction ends.

    Kept out of the device row on purpose: documents reference the device, and under PostgreSQL's
    repeatable read every posting would conflict with a sender updating that row.
    """
    _name = 'ddcpts.etims.counter'
    _description = "eTIMS numbering"
    _log_access = False

    device_id = fields.Many2one('ddcpts.etims.device', required=True, ondelete='cascade')
    kind = fields.Char(required=True, help="sale: invcNo of sales invoices and credit notes; purchase: invcNo "
                                           "of confirmed purchases; stock: sarNo.")
    last_number = fields.Integer(required=True, default=0)

    _sql_constraints = [('kind_unique', 'UNIQUE(device_id, kind)', "A device has one counter per numbering.")]
