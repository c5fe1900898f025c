from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_kra_etims.tools.amounts import EtimsLine, as_json_numbers, compute_amounts
from odoo.addons.ddcpts_kra_etims.tools.kra_format import kra_date


class DdcptsEtimsPayload(models.AbstractModel):
    _inherit = 'ddcpts.etims.payload'

    @api.model
    def _etims_stock_quantities(self, picking):
        """``({product: quantity in its unit}, {product: tax type})`` of a done transfer, checked.

        :raise UserError: naming each product eTIMS cannot take
        """
        quantities = {}
        for move in picking.move_ids.filtered(lambda move: move.state == 'done' and move.quantity):
            product = move.product_id
            quantities[product] = quantities.get(product, 0.0) + move.product_uom._compute_quantity(
                move.quantity, product.uom_id)
        products = self.env['product.product'].browse([product.id for product in quantities])
        problems = products._etims_master_data_problems()
        tax_types = {product: product._etims_default_tax_type(picking.company_id) for product in products}
        problems += [_("Product %s has no sales tax with a KRA tax type.", product.display_name)
                     for product, tax_type in tax_types.items() if not tax_type]
        if not products:
            problems.append(_("%s moved nothing.", picking.name))
        if problems:
            raise UserError(_("%(picking)s cannot be reported to eTIMS:\n%(problems)s", picking=picking.name,
                              problems='\n'.join(f'- {problem}' for problem in problems)))
        return quantities, tax_types

    @api.model
    def _etims_stock_vals(self, picking, quantities, tax_types):
        """The ``insertStockIO`` body without ``sarNo``; items valued at cost, in KES."""
        device = picking.etims_device_id
        company = picking.company_id
        rates = self.env['ddcpts.etims.device']._etims_tax_rates()
        kes = self.env.ref('base.KES')
        lines = []
        for product, quantity in quantities.items():
            cost = company.currency_id._convert(
                product.with_company(company).standard_price * quantity, kes, company,
                fields.Date.context_today(self))
            rate = rates.get(tax_types[product], 0.0)
            lines.append(EtimsLine(quantity, 0, tax_types[product], rate, Decimal(str(round(cost, 2))),
                                   Decimal(str(round(cost * rate / 100, 2)))))
        items, totals = compute_amounts(lines, tax_inclusive=device.tax_inclusive_amounts, rates=rates)
        partner = picking.partner_id.commercial_partner_id
        item_list = []
        for sequence, ((product, quantity), line, amounts) in enumerate(zip(quantities.items(), lines, items),
                                                                       start=1):
            product = product.with_company(company)
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
            'orgSarNo': picking.return_id.etims_stock_number or 0,
            'regTyCd': 'A',
            'custTin': partner.kra_pin or None,
            'custNm': (partner.name or '')[:60] or None,
            'custBhfId': None,
            'sarTyCd': picking._etims_stock_type(),
            'ocrnDt': kra_date(fields.Date.context_today(picking, picking.date_done)),
            'totItemCnt': len(item_list),
            'totTaxblAmt': float(totals['totTaxblAmt']),
            'totTaxAmt': float(totals['totTaxAmt']),
            'totAmt': float(totals['totAmt']),
            'remark': picking.name,
            **self._etims_user_vals(),
            'itemList': item_list,
        }
