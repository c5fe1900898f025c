from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, formatLang

from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.tools.amounts import EtimsLine, as_json_numbers, compute_amounts
from odoo.addons.ddcpts_kra_etims.tools.kra_format import kra_date, kra_datetime, parse_kra_date

# who registered / last changed a record, in every body that has them
USER_FIELDS = ('regrId', 'regrNm', 'modrId', 'modrNm')


class DdcptsEtimsPayload(models.AbstractModel):
    """The bodies sent to eTIMS, built from Odoo records and nothing else (no call, no write).

    Kept apart from the documents, as ``l10n_my_edi`` keeps its builder apart from ``account.move``:
    the documents own their state and the queue; this model owns KRA's field names, formats and
    amounts (docs/providers/etims.md).
    """
    _name = 'ddcpts.etims.payload'
    _description = "eTIMS payload builder"

    @api.model
    def _etims_user_vals(self, user=None):
        """``regrId/regrNm/modrId/modrNm``: the Odoo user behind the record (KRA's lengths)."""
        user = user or self.env.user
        login, name = (user.login or '')[:20], (user.name or '')[:60]
        return dict(zip(USER_FIELDS, (login, name, login, name)))

    # ------------------------------------------------------------------
    # Amounts
    # ------------------------------------------------------------------

    @api.model
    def _etims_kes_source(self, move):
        """Which booked amounts are in KES: the invoice's, the company's, or the company's converted."""
        kes_id = self.env['ir.model.data']._xmlid_to_res_id('base.KES')  # cached; env.ref reads the row
        if move.currency_id.id == kes_id:
            return 'currency'
        if move.company_id.currency_id.id == kes_id:
            return 'company'
        return 'convert'

    @api.model
    def _etims_document_lines(self, move, problems):
        """``[(account.move.line, EtimsLine)]`` in KES, from the amounts booked on the invoice.

        Each line eTIMS cannot take is named in ``problems`` (a list of sentences) instead.
        """
        currency_source = self._etims_kes_source(move)
        base_lines, _tax_lines = move._get_rounded_base_and_tax_lines()
        rates = self.env['ddcpts.etims.device']._etims_tax_rates()
        result = []
        for base_line in base_lines:
            line = base_line['record']
            if base_line['special_type'] or not isinstance(line, models.BaseModel):
                problems.append(_("%s has an early payment discount or cash rounding line, which eTIMS cannot "
                                  "take.", move.name))
                continue
            label = _("Line “%s”", (line.name or line.product_id.display_name or '').split('\n')[0])
            mapped = line.tax_ids.flatten_taxes_hierarchy().filtered('etims_tax_type')
            if len(mapped) != 1:
                problems.append(_("%(line)s needs exactly one tax with a KRA tax type (it has %(count)s).",
                                  line=label, count=len(mapped)))
                continue
            if not line.product_id:
                problems.append(_("%s has no product: eTIMS needs a registered item on every line.", label))
                continue
            uom = line.product_uom_id
            if uom and uom != line.product_id.uom_id and not uom.etims_quantity_unit_id:
                # its quantity would be reported in the product's unit
                problems.append(_("%(line)s is in unit of measure %(uom)s, which has no KRA quantity unit.",
                                  line=label, uom=uom.name))
                continue
            details = base_line['tax_details']
            suffix = '_currency' if currency_source == 'currency' else ''
            net = details[f'total_excluded{suffix}'] + details[f'delta_total_excluded{suffix}']
            tax = sum(data[f'tax_amount{suffix}'] for data in details['taxes_data'] if data['tax'] == mapped)
            if currency_source == 'convert':
                net, tax = (move.company_id.currency_id._convert(
                    amount, self.env.ref('base.KES'), move.company_id, move.invoice_date or fields.Date.today())
                    for amount in (net, tax))
            if float_compare(net, 0, precision_digits=2) < 0:
                problems.append(_("%s has a negative amount: use a discount on the line it reduces instead.", label))
                continue
            result.append((line, EtimsLine(
                quantity=line.quantity, discount=line.discount, tax_type=mapped.etims_tax_type,
                rate=rates.get(mapped.etims_tax_type, mapped.amount), net=net, tax=tax,
            )))
        if not result and not problems:
            problems.append(_("%s has no line to send.", move.name))
        return result

    @api.model
    def _etims_raise_problems(self, record, problems):
        if problems:
            raise UserError(_("%(document)s cannot be sent to eTIMS:\n%(problems)s", document=record.name,
                              problems='\n'.join(f'- {problem}' for problem in problems)))

    @api.model
    def _etims_amounts(self, move, document_lines=None):
        """``(lines, item_amounts, totals)``: THE computation of the amounts sent to eTIMS.

        The totals are checked against the invoice's own totals in KES (less taxes that have no KRA
        tax type, such as withholding): a difference is a bug, and nothing is sent.

        :param document_lines: the result of ``_etims_document_lines`` when the caller checked it
        :raise UserError: naming every line eTIMS cannot take
        """
        if document_lines is None:
            problems = []
            document_lines = self._etims_document_lines(move, problems)
            self._etims_raise_problems(move, problems)
        device = move.etims_device_id or self.env['ddcpts.etims.device']._etims_device_for(
            move.company_id, move.journal_id)
        items, totals = compute_amounts([etims_line for _line, etims_line in document_lines],
                                        tax_inclusive=device.tax_inclusive_amounts if device else True,
                                        rates=self.env['ddcpts.etims.device']._etims_tax_rates())
        expected = self._etims_expected_total(move)
        if expected is not None and float_compare(float(totals['totAmt']), expected, precision_digits=2):
            kes = self.env.ref('base.KES')
            raise UserError(_("The eTIMS total of %(move)s (%(etims)s) differs from the invoice total (%(total)s): "
                              "nothing was sent.", move=move.name,
                              etims=formatLang(self.env, float(totals['totAmt']), currency_obj=kes),
                              total=formatLang(self.env, expected, currency_obj=kes)))
        return document_lines, items, totals

    @api.model
    def _etims_expected_total(self, move):
        """Invoice total in KES without taxes that have no KRA tax type; None when converted per line."""
        source = self._etims_kes_source(move)
        if source == 'convert':
            return None
        field = 'amount_currency' if source == 'currency' else 'balance'
        # what taxes without a KRA tax type (e.g. withholding) add to the total
        other_taxes = sum(line[field] * move.direction_sign for line in move.line_ids
                          if line.tax_line_id and not line.tax_line_id.etims_tax_type)
        total = move.amount_total if source == 'currency' else abs(move.amount_total_signed)
        return round(total - other_taxes, 2)

    @api.model
    def _etims_payment_type(self, move):
        """pmtTyCd: the one chosen on the document, else cash when payable at once, credit otherwise."""
        if move.etims_payment_type:
            return move.etims_payment_type
        immediate = self.env.ref('account.account_payment_term_immediate', raise_if_not_found=False)
        term = move.invoice_payment_term_id
        return '01' if not term or term == immediate else '02'

    # ------------------------------------------------------------------
    # Sales: saveTrnsSalesOsdc
    # ------------------------------------------------------------------

    @api.model
    def _etims_sale_lines(self, move):
        """The lines of a sale or credit note, checked: everything to fix is listed in one UserError."""
        problems = []
        document_lines = self._etims_document_lines(move, problems)
        if move.move_type == 'out_refund':
            if not move.etims_refund_reason:
                problems.append(_("Set the KRA credit note reason of %s.", move.name))
            original = move.reversed_entry_id
            if not original:
                problems.append(_("%s reverses no invoice: eTIMS needs the original invoice.", move.name))
            elif original.etims_state != 'signed':
                problems.append(_("The original invoice %s is not signed by eTIMS yet.", original.name))
        problems += move.invoice_line_ids.product_id._etims_master_data_problems()
        self._etims_raise_problems(move, problems)
        return document_lines

    @api.model
    def _etims_sale_vals(self, move, document_lines):
        """The ``saveTrnsSalesOsdc`` body, without ``invcNo`` (given when it is sent)."""
        device = move.etims_device_id
        is_refund = move.move_type == 'out_refund'
        document_lines, items, totals = self._etims_amounts(move, document_lines)
        customer = move.commercial_partner_id
        item_list = []
        for sequence, ((line, etims_line), amounts) in enumerate(zip(document_lines, items), start=1):
            product = line.product_id.with_company(move.company_id)
            item_list.append(as_json_numbers({
                'itemSeq': sequence,
                'itemCd': product.etims_item_code,
                'itemClsCd': product.etims_item_class_id.code,
                'itemNm': (line.name or product.name).split('\n')[0][:200],
                'bcd': product.barcode or None,
                'pkgUnitCd': product.etims_packaging_unit_id.code,
                'pkg': line.quantity,
                'qtyUnitCd': product._etims_quantity_unit(line.product_uom_id).code,
                'qty': line.quantity,
                'isrccCd': None, 'isrccNm': None, 'isrcRt': None, 'isrcAmt': None,
                'taxTyCd': etims_line.tax_type,
                **amounts,
            }))
        now = kra_datetime()
        company = move.company_id
        return {
            'tin': device.tin,
            'bhfId': device.branch_code,
            'trdInvcNo': move.name[:50],
            'orgInvcNo': move.reversed_entry_id.etims_invoice_number if is_refund else 0,
            'custTin': customer.kra_pin or None,
            'custNm': (customer.name or '')[:60] or None,
            'salesTyCd': 'N',
            'rcptTyCd': 'R' if is_refund else 'S',
            'pmtTyCd': self._etims_payment_type(move),
            'salesSttsCd': '02',
            'cfmDt': now,
            'salesDt': kra_date(move.invoice_date),
            'stockRlsDt': None,
            'cnclReqDt': None, 'cnclDt': None,
            'rfdDt': now if is_refund else None,
            'rfdRsnCd': move.etims_refund_reason if is_refund else None,
            'totItemCnt': len(item_list),
            **as_json_numbers(totals),
            'prchrAcptcYn': 'N',
            'remark': (move.ref or '')[:400] or None,
            **self._etims_user_vals(move.invoice_user_id),
            'receipt': {
                'custTin': customer.kra_pin or None,
                'custMblNo': customer.mobile or customer.phone or None,
                'rptNo': None,
                'rcptPbctDt': now,
                'trdeNm': (company.name or '')[:20],
                'adrs': (company.partner_id.contact_address or '').replace('\n', ', ')[:200] or None,
                'topMsg': None,
                'btmMsg': None,
                'prchrAcptcYn': 'N',
            },
            'itemList': item_list,
        }

    @api.model
    def _etims_fiscalized_vals(self, move):
        """The data of the ``invoice.fiscalized`` webhook event."""
        return {
            'invoice': move.name,
            'invoice_id': move.id,
            'move_type': move.move_type,
            'partner': move.partner_id.display_name,
            'customer_pin': move.commercial_partner_id.kra_pin or None,
            'amount_total': move.amount_total,
            'currency': move.currency_id.name,
            'etims_invoice_number': move.etims_invoice_number,
            'original_invoice_number': move.etims_original_invoice_number or None,
            'receipt_number': move.etims_receipt_number,
            'total_receipt_number': move.etims_total_receipt_number,
            'internal_data': move.etims_internal_data,
            'signature': move.etims_signature,
            'sdc_id': move.etims_sdc_id,
            'mrc_no': move.etims_mrc_no,
            'sdc_datetime': move.etims_sdc_datetime,
            'qr_url': move.etims_qr_url,
        }

    # ------------------------------------------------------------------
    # Purchases: insertTrnsPurchase
    # ------------------------------------------------------------------

    @api.model
    def _etims_purchase_vals(self, bill, device):
        """The ``insertTrnsPurchase`` body of a supplier invoice, without ``invcNo`` (given when sent)."""
        document_lines, items, totals = self._etims_amounts(bill)
        supplier_number = bill.etims_supplier_invoice_number or ''
        item_list = []
        for sequence, ((line, etims_line), amounts) in enumerate(zip(document_lines, items), start=1):
            product = line.product_id.with_company(bill.company_id)
            item_list.append(as_json_numbers({
                'itemSeq': sequence,
                'itemCd': product.etims_item_code or line.etims_supplier_item_code or None,
                'itemClsCd': product.etims_item_class_id.code or line.etims_supplier_item_class or None,
                'itemNm': (line.name or product.name or '').split('\n')[0][:200],
                'bcd': product.barcode or None,
                'spplrItemClsCd': line.etims_supplier_item_class or None,
                'spplrItemCd': line.etims_supplier_item_code or None,
                'spplrItemNm': line.etims_supplier_item_name or None,
                'pkgUnitCd': product.etims_packaging_unit_id.code or 'NT',
                'pkg': line.quantity,
                'qtyUnitCd': product._etims_quantity_unit(line.product_uom_id).code or 'U',
                'qty': line.quantity,
                'taxTyCd': etims_line.tax_type,
                'itemExprDt': None,
                **amounts,
            }))
        return {
            'tin': device.tin,
            'bhfId': device.branch_code,
            'orgInvcNo': bill.reversed_entry_id.etims_purchase_number if bill.move_type == 'in_refund' else 0,
            'spplrTin': bill.etims_supplier_tin or bill.commercial_partner_id.kra_pin or None,
            'spplrBhfId': bill.etims_supplier_branch or None,
            'spplrNm': (bill.commercial_partner_id.name or '')[:60],
            'spplrInvcNo': int(supplier_number) if supplier_number.isdigit() else supplier_number or None,
            'regTyCd': 'A' if bill.etims_supplier_invoice_number else 'M',
            'pchsTyCd': 'N',
            'rcptTyCd': 'R' if bill.move_type == 'in_refund' else 'P',
            'pmtTyCd': self._etims_payment_type(bill),
            'pchsSttsCd': '02',
            'cfmDt': kra_datetime(),
            'pchsDt': kra_date(bill.invoice_date),
            'wrhsDt': None, 'cnclReqDt': None, 'cnclDt': None, 'rfdDt': None,
            'totItemCnt': len(item_list),
            **as_json_numbers(totals),
            'remark': (bill.ref or '')[:400] or None,
            **self._etims_user_vals(bill.invoice_user_id),
            'itemList': item_list,
        }

    # ------------------------------------------------------------------
    # Master data: saveItem, saveBhfCustomer
    # ------------------------------------------------------------------

    @api.model
    def _etims_item_vals(self, product, company, tax_type):
        """The ``saveItem`` body of a product (its item code must be given already)."""
        product = product.with_company(company)
        return {
            'itemCd': product.etims_item_code,
            'itemClsCd': product.etims_item_class_id.code,
            'itemTyCd': product.etims_item_type,
            'itemNm': (product.name or '')[:200],
            'itemStdNm': None,
            'orgnNatCd': product.etims_origin_country_id.code,
            'pkgUnitCd': product.etims_packaging_unit_id.code,
            'qtyUnitCd': product._etims_quantity_unit().code,
            'taxTyCd': product._etims_default_tax_type(company) or tax_type,
            'btchNo': None,
            'bcd': product.barcode or None,
            'dftPrc': product.lst_price,
            'addInfo': None,
            'sftyQty': None,
            'isrcAplcbYn': 'Y' if product.etims_insurance_applicable else 'N',
            'useYn': 'Y' if product.active else 'N',
            **self._etims_user_vals(),
        }

    @api.model
    def _etims_customer_vals(self, partner):
        """The ``saveBhfCustomer`` body of a customer with a KRA PIN."""
        return {
            'custNo': (partner.ref or str(partner.id))[:9],
            'custTin': partner.kra_pin,
            'custNm': (partner.name or '')[:60],
            'adrs': (partner.contact_address or '').replace('\n', ', ')[:300] or None,
            'telNo': partner.mobile or partner.phone or None,
            'email': partner.email or None,
            'faxNo': None,
            'useYn': 'Y',
            'remark': None,
            **self._etims_user_vals(),
        }

    # ------------------------------------------------------------------
    # Supplier invoices read from selectTrnsPurchaseSalesList
    # ------------------------------------------------------------------

    @api.model
    def _etims_vendor_bill_vals(self, device, sale):
        """Values of the draft vendor bill (or refund) of one entry of ``saleList`` (checked by
        ``schemas.PURCHASE_SALES``), without its vendor; None when the entry names no supplier or
        invoice number."""
        tin, number = sale['spplrTin'], sale['spplrInvcNo']
        if not tin or not number:
            return None
        company = device.company_id
        return {
            'move_type': 'in_refund' if sale['rcptTyCd'] == 'R' else 'in_invoice',
            'company_id': company.id,
            'invoice_date': parse_kra_date(sale['salesDt']) or fields.Date.context_today(self),
            'ref': number,
            'currency_id': self.env.ref('base.KES').id,
            'etims_device_id': device.id,
            'etims_supplier_tin': tin,
            'etims_supplier_branch': sale['spplrBhfId'] or '00',
            'etims_supplier_invoice_number': number,
            'etims_supplier_sdc_id': sale['spplrSdcId'] or False,
            'etims_purchase_state': 'to_confirm',
            'etims_payment_type': sale['pmtTyCd'] if sale['pmtTyCd'] in dict(const.PAYMENT_TYPES) else False,
            'invoice_line_ids': [fields.Command.create(self._etims_vendor_bill_line_vals(item, company))
                                 for item in sale['itemList'] or []],
        }

    @api.model
    def _etims_vendor_bill_line_vals(self, item, company):
        """A bill line for a supplier's item (``schemas.PURCHASE_ITEM``): our product by item code, else
        by name; net price and VAT."""
        Product = self.env['product.product'].with_company(company)
        code, name = item['itemCd'] or '', item['itemNm'] or ''
        product = (code and Product.search([('etims_item_code', '=', code)], limit=1)) or (
            name and Product.search([('name', '=ilike', name), ('purchase_ok', '=', True)], limit=1))
        quantity = float(item['qty'] or 1) or 1.0
        net = float((item['totAmt'] or 0) - (item['taxAmt'] or 0))
        tax = company.account_purchase_tax_id
        if tax.etims_tax_type != item['taxTyCd'] or tax.price_include:
            tax = self.env['account.tax'].search([
                ('company_id', '=', company.id), ('type_tax_use', '=', 'purchase'),
                ('etims_tax_type', '=', item['taxTyCd']), ('price_include', '=', False),
            ], limit=1)
        return {
            'product_id': product.id if product else False,
            'name': name or code,
            'quantity': quantity,
            'price_unit': net / quantity,
            'tax_ids': [fields.Command.set(tax.ids)],
            'etims_supplier_item_code': code or False,
            'etims_supplier_item_class': item['itemClsCd'] or False,
            'etims_supplier_item_name': name or False,
        }
