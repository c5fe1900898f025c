from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools import chatter
from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.tools.kra_format import parse_kra_date
from odoo.addons.ddcpts_kra_etims.tools.schemas import IMPORT_ITEMS


class DdcptsEtimsImportItem(models.Model):
    """An item of a customs import declaration (selectImportItemList), approved or rejected by the importer.

    Approving ties it to a product registered in eTIMS (updateImportItem with the item code).
    """
    _name = 'ddcpts.etims.import.item'
    _inherit = ['mail.thread']
    _description = "eTIMS import item"
    _order = 'declaration_date desc, task_code, item_sequence'

    device_id = fields.Many2one('ddcpts.etims.device', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='device_id.company_id', store=True, index=True)
    task_code = fields.Char("Task Code", required=True, readonly=True)
    declaration_date = fields.Date(readonly=True)
    declaration_date_raw = fields.Char("Declaration Date (as sent)", readonly=True,
                                       help="dclDe exactly as KRA sent it, sent back unchanged when answering.")
    item_sequence = fields.Integer(required=True, readonly=True)
    declaration_number = fields.Char(readonly=True)
    hs_code = fields.Char("HS Code", readonly=True)
    name = fields.Char("Item", required=True, readonly=True)
    status = fields.Selection(const.IMPORT_ITEM_STATUSES, required=True, default='2', tracking=True, readonly=True)
    origin_country_code = fields.Char(readonly=True)
    export_country_code = fields.Char(readonly=True)
    package_count = fields.Float("Packages", readonly=True)
    packaging_unit = fields.Char(readonly=True)
    quantity = fields.Float(readonly=True)
    quantity_unit = fields.Char(readonly=True)
    gross_weight = fields.Float(readonly=True)
    net_weight = fields.Float(readonly=True)
    supplier_name = fields.Char(readonly=True)
    agent_name = fields.Char(readonly=True)
    invoice_amount = fields.Float("Invoice Amount (Foreign Currency)", readonly=True)
    invoice_currency = fields.Char(readonly=True)
    exchange_rate = fields.Float(readonly=True, digits=(12, 6))
    product_id = fields.Many2one('product.product', tracking=True, check_company=True,
                                 compute='_compute_product_id', store=True, readonly=False,
                                 help="The product this import is booked as (matched by name, HS code or barcode).")
    error = fields.Text(readonly=True)

    _sql_constraints = [
        ('item_unique', 'UNIQUE(device_id, task_code, item_sequence)', "An import item is listed once."),
    ]

    @api.depends('name', 'hs_code')
    def _compute_product_id(self):
        for item in self.filtered(lambda item: not item.product_id):
            domain = [('company_id', 'in', (False, item.company_id.id))]
            item.product_id = self.env['product.product'].search(
                domain + ['|', ('name', '=ilike', item.name), ('barcode', '=', item.hs_code)], limit=1)

    @api.model
    def _etims_import(self, device, data):
        """Create or update the import items of a ``selectImportItemList`` answer (nothing of an answer
        that ``schemas.IMPORT_ITEMS`` refuses)."""
        data = device._etims_checked_answer(IMPORT_ITEMS, data, 'selectImportItemList')
        for entry in data['itemList'] or []:
            task_code, sequence = entry['taskCd'], entry['itemSeq']
            if not task_code or not sequence:
                continue
            values = {
                'device_id': device.id,
                'task_code': task_code,
                'item_sequence': sequence,
                'declaration_date': parse_kra_date(entry['dclDe'], formats=('%d%m%Y', '%Y%m%d')),
                'declaration_date_raw': entry['dclDe'],
                'declaration_number': entry['dclNo'],
                'hs_code': entry['hsCd'],
                'name': entry['itemNm'] or task_code,
                'origin_country_code': entry['orgnNatCd'],
                'export_country_code': entry['exptNatCd'],
                'package_count': float(entry['pkg'] or 0),
                'packaging_unit': entry['pkgUnitCd'],
                'quantity': float(entry['qty'] or 0),
                'quantity_unit': entry['qtyUnitCd'],
                'gross_weight': float(entry['totWt'] or 0),
                'net_weight': float(entry['netWt'] or 0),
                'supplier_name': entry['spplrNm'],
                'agent_name': entry['agntNm'],
                'invoice_amount': float(entry['invcFcurAmt'] or 0),
                'invoice_currency': entry['invcFcurCd'],
                'exchange_rate': float(entry['invcFcurExcrt'] or 0),
            }
            status = entry['imptItemsttsCd'] or entry['imptItemSttsCd'] or '2'
            if status in dict(const.IMPORT_ITEM_STATUSES):
                values['status'] = status
            existing = self.search([('device_id', '=', device.id), ('task_code', '=', task_code),
                                    ('item_sequence', '=', sequence)])
            if existing:
                existing.write(values)
            else:
                self.create(values)

    def action_approve(self):
        for item in self:
            if not item.product_id:
                raise UserError(_("Choose the product of the import item %s before approving it.", item.name))
            problems = item.product_id._etims_master_data_problems()
            if problems:
                raise UserError('\n'.join(problems))
            item.product_id._etims_ensure_registered(item.device_id)
            item._etims_answer(const.IMPORT_APPROVED)
        return True

    def action_reject(self):
        for item in self:
            item._etims_answer(const.IMPORT_REJECTED)
        return True

    def _etims_answer(self, status):
        """``updateImportItem``: tell KRA the item is approved (with its item code) or rejected."""
        self.ensure_one()
        if self.status in (const.IMPORT_APPROVED, const.IMPORT_REJECTED):
            raise UserError(_("The import item %s was already answered.", self.name))
        product = self.product_id.with_company(self.company_id)
        user_vals = self.env['ddcpts.etims.payload']._etims_user_vals()
        self.device_id._etims_call('updateImportItem', {
            'taskCd': self.task_code,
            'dclDe': self.declaration_date_raw,
            'itemSeq': self.item_sequence,
            'hsCd': self.hs_code,
            'itemClsCd': product.etims_item_class_id.code if status == const.IMPORT_APPROVED else None,
            'itemCd': product.etims_item_code if status == const.IMPORT_APPROVED else None,
            'imptItemSttsCd': status,
            'remark': None,
            'modrId': user_vals['modrId'], 'modrNm': user_vals['modrNm'],
        }, related=self)
        self.write({'status': status, 'error': False})
        self.message_post(body=_("Approved as %s.", product.display_name) if status == const.IMPORT_APPROVED
                          else _("Rejected."), **chatter.sender(self.env))
