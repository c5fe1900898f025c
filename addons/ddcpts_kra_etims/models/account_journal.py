from odoo import fields, models


class AccountJournal(models.Model):
    _inherit = 'account.journal'

    etims_device_id = fields.Many2one(
        'ddcpts.etims.device', "eTIMS Device", check_company=True,
        help="Branch device that fiscalizes the invoices of this journal. Empty: the company's head office device.")
