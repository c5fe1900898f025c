from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools import chatter
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.exceptions import EtimsRejected, EtimsUnavailable
from odoo.addons.ddcpts_kra_etims.tools.amounts import EtimsLine, as_json_numbers, compute_amounts
from odoo.addons.ddcpts_kra_etims.tools.kra_format import kra_date
from odoo.addons.ddcpts_kra_etims_stock.const import RETURN_TYPES

STOCK_NUMBERING = 'stock'


class StockPicking(models.Model):
    """A validated transfer that changes the branch's stock, reported to eTIMS.

    ``insertStockIO`` (numbered ``sarNo`` per branch, like sales invoices: the number is committed
    before the call and kept across retries), then ``saveStockMaster`` with the quantity left of
    each product in the warehouse.
    """
    _inherit = ['stock.picking', 'ddcpts.etims.queue.mixin']
    _name = 'stock.picking'

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
    def _etims_next_in_stock_queue(self, device):
        holding = self.search([('etims_device_id', '=', device.id), ('etims_stock_state', '=', 'sending')],
                              order='etims_stock_number', limit=1)
        if holding:
            return holding if holding._etims_is_due() else self.browse()
        return self.search([
            ('etims_device_id', '=', device.id), ('etims_stock_state', '=', 'to_send'),
            '|', ('etims_next_attempt_at', '=', False), ('etims_next_attempt_at', '<=', fields.Datetime.now()),
        ], order='date_done, id', limit=1)

    def _etims_send_stock(self):
        """Report this movement, then the remaining quantities; return True when the next one may go."""
        self.ensure_one()
        device = self.etims_device_id
        try:
            payload, products = self._etims_stock_payload()
        except EtimsUnavailable as error:
            self._etims_schedule_retry(error)
            return False
        except UserError as error:
            if self.etims_stock_number:
                self._etims_schedule_retry(error)
                return False
            self._etims_stock_failed(error)
            return True
        if not self.etims_stock_number:
            number = device._etims_next_number(STOCK_NUMBERING)
            self._etims_write({'etims_stock_number': number, 'etims_stock_state': 'sending'})
            self.env.cr.commit()
        payload['sarNo'] = self.etims_stock_number
        try:
            device._etims_call('insertStockIO', payload, related=self)
        except EtimsUnavailable as error:
            self._etims_schedule_retry(error)
            return False
        except EtimsRejected as error:
            if error.code != const.DUPLICATE:  # 994: KRA has it from an attempt whose answer was lost
                if device._etims_release_number(STOCK_NUMBERING, self.etims_stock_number):
                    self._etims_write({'etims_stock_number': 0})
                self._etims_stock_failed(error)
                return True
        # KRA holds the movement under its sarNo from here on: the number is kept whatever follows
        try:
            self._etims_save_stock_master(products)
        except EtimsUnavailable as error:
            self._etims_schedule_retry(error)
            return False
        except EtimsRejected as error:
            self._etims_stock_failed(error)
            return True
        self._etims_write({'etims_stock_state': 'sent', 'etims_error': False, 'etims_next_attempt_at': False})
        self.message_post(body=_("Reported to eTIMS as stock movement %s.", self.etims_stock_number),
                          **chatter.sender(self.env))
        return True

    def _etims_save_stock_master(self, products):
        """``saveStockMaster``: the quantity of each moved product left in the warehouse of the operation."""
        device = self.etims_device_id
        warehouse = self.picking_type_id.warehouse_id
        for product in products:
            remaining = product.with_context(warehouse_id=warehouse.id).qty_available if warehouse else \
                product.with_company(self.company_id).qty_available
            device._etims_call('saveStockMaster', {
                'itemCd': product.with_company(self.company_id).etims_item_code, 'rsdQty': remaining,
                **self._etims_user_fields(),
            }, related=self)

    def _etims_stock_failed(self, error):
        self._etims_write({'etims_stock_state': 'error', 'etims_error': str(error), 'etims_next_attempt_at': False})
        self.message_post(body=_("Not reported to eTIMS: %s", error), **chatter.sender(self.env))

    def _etims_user_fields(self):
        user = self.env.user
        return {'regrId': user.login[:20], 'regrNm': user.name[:60], 'modrId': user.login[:20],
                'modrNm': user.name[:60]}

    def _etims_stock_payload(self):
        """``(insertStockIO body without sarNo, products)``; items valued at cost, in KES.

        :raise UserError: naming each product eTIMS cannot take
        """
        self.ensure_one()
        device = self.etims_device_id
        quantities = {}
        for move in self.move_ids.filtered(lambda move: move.state == 'done' and move.quantity):
            product = move.product_id
            quantities[product] = quantities.get(product, 0.0) + move.product_uom._compute_quantity(
                move.quantity, product.uom_id)
        products = self.env['product.product'].browse([product.id for product in quantities])
        problems = products._etims_master_data_problems()
        tax_types = {product: product._etims_default_tax_type(self.company_id) for product in products}
        problems += [_("Product %s has no sales tax with a KRA tax type.", product.display_name)
                     for product, tax_type in tax_types.items() if not tax_type]
        if not products:
            problems.append(_("%s moved nothing.", self.name))
        if problems:
            raise UserError(_("%(picking)s cannot be reported to eTIMS:\n%(problems)s", picking=self.name,
                              problems='\n'.join(f'- {problem}' for problem in problems)))
        for product in products:
            product._etims_ensure_registered(device, tax_types[product])
        rates = self.env['ddcpts.etims.device']._etims_tax_rates()
        kes = self.env.ref('base.KES')
        lines = []
        for product, quantity in quantities.items():
            cost = self.company_id.currency_id._convert(
                product.with_company(self.company_id).standard_price * quantity, kes, self.company_id,
                fields.Date.context_today(self))
            rate = rates.get(tax_types[product], 0.0)
            lines.append(EtimsLine(quantity, 0, tax_types[product], rate, Decimal(str(round(cost, 2))),
                                   Decimal(str(round(cost * rate / 100, 2)))))
        items, totals = compute_amounts(lines, tax_inclusive=device.tax_inclusive_amounts, rates=rates)
        partner = self.partner_id.commercial_partner_id
        item_list = []
        for sequence, ((product, quantity), line, amounts) in enumerate(zip(quantities.items(), lines, items),
                                                                       start=1):
            product = product.with_company(self.company_id)
            item_list.append(as_json_numbers({
                'itemSeq': sequence,
                'itemCd': product.etims_item_code,
                'itemClsCd': product.etims_item_class_id.code,
                'itemNm': product.name[:200],
                'bcd': product.barcode or None,
                'pkgUnitCd': product.etims_packaging_unit_id.code,
                'pkg': quantity,
                'qtyUnitCd': product._etims_quantity_unit().code,
                'qty': quantity,
                'itemExprDt': None,
                'prc': amounts['prc'],
                'splyAmt': amounts['splyAmt'],
                'totDcAmt': amounts['dcAmt'],
                'taxblAmt': amounts['taxblAmt'],
                'taxTyCd': line.tax_type,
                'taxAmt': amounts['taxAmt'],
                'totAmt': amounts['totAmt'],
            }))
        return {
            'tin': device.tin,
            'bhfId': device.branch_code,
            'orgSarNo': self.return_id.etims_stock_number or 0,
            'regTyCd': 'A',
            'custTin': partner.kra_pin or None,
            'custNm': (partner.name or '')[:60] or None,
            'custBhfId': None,
            'sarTyCd': self._etims_stock_type(),
            'ocrnDt': kra_date(fields.Date.context_today(self, self.date_done)),
            'totItemCnt': len(item_list),
            'totTaxblAmt': float(totals['totTaxblAmt']),
            'totTaxAmt': float(totals['totTaxAmt']),
            'totAmt': float(totals['totAmt']),
            'remark': self.name,
            **self._etims_user_fields(),
            'itemList': item_list,
        }, products
