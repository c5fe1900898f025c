import base64
import io
import json

import qrcode

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.exceptions import EtimsRejected, EtimsUnavailable
from odoo.addons.ddcpts_kra_etims.tools.amounts import EtimsLine, as_json_numbers, compute_amounts
from odoo.addons.ddcpts_kra_etims.tools.kra_format import (
    group_by_four,
    kra_date,
    kra_datetime,
    parse_kra_date,
    parse_kra_datetime,
    to_float,
)

SALE_TYPES = ('out_invoice', 'out_refund')
# states in which KRA holds (or may hold) the invoice under its number: the invoice is frozen
LOCKED_STATES = ('sending', 'signed', 'to_confirm')
RECEIPT_FIELDS = frozenset({'etims_receipt_number', 'etims_total_receipt_number', 'etims_internal_data',
                            'etims_signature', 'etims_sdc_datetime'})
# what KRA was sent: frozen once the invoice holds an eTIMS number
SENT_FIELDS = frozenset({'etims_payment_type', 'etims_refund_reason'})


class AccountMove(models.Model):
    _inherit = ['account.move', 'ddcpts.etims.queue.mixin']
    _name = 'account.move'

    etims_state = fields.Selection([
        ('pending', "Not sent"),
        ('to_send', "Queued"),
        ('sending', "Retrying"),
        ('signed', "Signed"),
        ('to_confirm', "Duplicate: to confirm"),
        ('error', "Error"),
    ], "eTIMS Status", copy=False, readonly=True, index=True,
        help="Queued: waits for its turn. Retrying: it holds its eTIMS number and is sent again until KRA "
             "answers. Duplicate: KRA already had its number (994), or sent no signature; confirm the receipt "
             "from the eTIMS portal.")
    etims_invoice_number = fields.Integer("eTIMS Invoice Number", copy=False, readonly=True,
                                          help="invcNo: consecutive per branch, given when the invoice is sent.")
    etims_sent_at = fields.Datetime("Signed At", copy=False, readonly=True)
    etims_payment_type = fields.Selection(
        const.PAYMENT_TYPES, "KRA Payment Type", copy=False,
        help="pmtTyCd sent to eTIMS. Empty: cash when the invoice is payable at once, credit otherwise.")
    etims_refund_reason = fields.Selection(const.REFUND_REASONS, "KRA Credit Note Reason", copy=False,
                                           help="rfdRsnCd: required to send a credit note to eTIMS.")
    etims_original_invoice_number = fields.Integer(
        "Original eTIMS Invoice Number", compute='_compute_etims_original_invoice_number',
        help="invcNo of the invoice a credit note reverses (orgInvcNo).")
    # the signed receipt
    etims_receipt_number = fields.Char("Receipt Number", copy=False, help="curRcptNo")
    etims_total_receipt_number = fields.Char("Total Receipt Number", copy=False, help="totRcptNo")
    etims_internal_data = fields.Char("Internal Data", copy=False, help="intrlData")
    etims_signature = fields.Char("Receipt Signature", copy=False, help="rcptSign")
    etims_sdc_datetime = fields.Datetime("SCU Date/Time", copy=False, help="sdcDateTime")
    etims_sdc_id = fields.Char("SCU ID", copy=False, readonly=True)
    etims_mrc_no = fields.Char("MRC Number", copy=False, readonly=True)
    etims_qr_url = fields.Char("eTIMS Receipt URL", compute='_compute_etims_qr_url')
    etims_qr_code = fields.Binary("eTIMS QR Code", compute='_compute_etims_qr_code',
                                  help="The QR code of the receipt URL, as printed on the invoice.")

    # supplier invoices fetched from eTIMS (selectTrnsPurchaseSalesList) and their confirmation
    etims_supplier_tin = fields.Char("Supplier KRA PIN", copy=False, readonly=True)
    etims_supplier_branch = fields.Char("Supplier Branch", copy=False, readonly=True)
    etims_supplier_invoice_number = fields.Char("Supplier eTIMS Invoice Number", copy=False, readonly=True)
    etims_supplier_sdc_id = fields.Char("Supplier SCU ID", copy=False, readonly=True)
    etims_purchase_state = fields.Selection(
        [('to_confirm', "To confirm"), ('confirmed', "Confirmed"), ('error', "Error")],
        "eTIMS Purchase Status", copy=False, readonly=True, index=True)
    etims_purchase_number = fields.Integer("eTIMS Purchase Number", copy=False, readonly=True)

    _sql_constraints = [
        ('etims_supplier_invoice_unique',
         'UNIQUE(company_id, etims_supplier_tin, etims_supplier_branch, etims_supplier_invoice_number, move_type)',
         "This supplier invoice was already fetched from eTIMS."),
    ]

    def init(self):
        super().init()
        # an eTIMS invoice number is used once per branch (0: none yet)
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS account_move_etims_invoice_number_unique
                ON account_move (etims_device_id, etims_invoice_number) WHERE etims_invoice_number > 0
        """)

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------

    @api.depends('reversed_entry_id.etims_invoice_number')
    def _compute_etims_original_invoice_number(self):
        for move in self:
            move.etims_original_invoice_number = move.reversed_entry_id.etims_invoice_number

    @api.depends('etims_signature', 'etims_device_id')
    def _compute_etims_qr_url(self):
        for move in self:
            device = move.etims_device_id
            if move.etims_signature and device:
                host = const.QR_HOSTS['production' if device.environment == 'production' else 'test']
                move.etims_qr_url = f'{host}{const.QR_PATH}{device.tin}{device.branch_code}{move.etims_signature}'
            else:
                move.etims_qr_url = False

    @api.depends('etims_qr_url')
    def _compute_etims_qr_code(self):
        for move in self:
            image = move.etims_qr_url and move._etims_qr_image()
            move.etims_qr_code = image and image.removeprefix('data:image/png;base64,')

    @api.depends('restrict_mode_hash_table', 'state', 'inalterable_hash', 'etims_state')
    def _compute_show_reset_to_draft_button(self):
        super()._compute_show_reset_to_draft_button()
        for move in self.filtered(lambda move: move.etims_state in LOCKED_STATES):
            move.show_reset_to_draft_button = False

    def write(self, vals):
        if not self.env.su:
            if RECEIPT_FIELDS & vals.keys() and any(move.etims_state != 'to_confirm' for move in self):
                raise UserError(_("The eTIMS receipt comes from KRA: it is entered by hand only for an invoice KRA "
                                  "already had (994)."))
            if SENT_FIELDS & vals.keys() and any(move.etims_state in LOCKED_STATES for move in self):
                raise UserError(_("This invoice was sent to eTIMS: its KRA payment type and credit note reason "
                                  "cannot change."))
        return super().write(vals)

    def _etims_write(self, vals):
        # eTIMS fields change no journal item: skip the (costly) synchronization of the invoice lines
        return super(AccountMove, self.with_context(skip_invoice_sync=True))._etims_write(vals)

    def _etims_payment_type_code(self):
        self.ensure_one()
        if self.etims_payment_type:
            return self.etims_payment_type
        immediate = self.env.ref('account.account_payment_term_immediate', raise_if_not_found=False)
        term = self.invoice_payment_term_id
        return '01' if not term or term == immediate else '02'

    def _etims_qr_image(self):
        """The QR code of the receipt URL as a data URI (printed on the invoice)."""
        self.ensure_one()
        if not self.etims_qr_url:
            return False
        image = qrcode.make(self.etims_qr_url, box_size=4, border=1)
        buffer = io.BytesIO()
        image.save(buffer, format='PNG')
        return 'data:image/png;base64,' + base64.b64encode(buffer.getvalue()).decode()

    def _etims_grouped(self, field_name):
        self.ensure_one()
        return group_by_four(self[field_name])

    # ------------------------------------------------------------------
    # Posting, draft, reversal
    # ------------------------------------------------------------------

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._etims_on_post()
        return posted

    def _etims_on_post(self):
        """Sales documents of a company with a device are queued (or wait for the button); fetched
        supplier invoices are confirmed to eTIMS."""
        for move in self.filtered(lambda move: move.move_type in SALE_TYPES and not move.etims_state):
            device = self.env['ddcpts.etims.device']._etims_device_for(move.company_id, move.journal_id)
            if device:
                move._etims_write({'etims_device_id': device.id, 'etims_state': 'pending'})
        self.filtered(lambda move: move.etims_state == 'pending' and move.company_id.etims_auto_send)._etims_enqueue()
        self.filtered(lambda move: move.etims_purchase_state in ('to_confirm', 'error'))._etims_confirm_purchase()

    def _check_draftable(self):
        super()._check_draftable()
        for move in self.filtered(lambda move: move.etims_state in LOCKED_STATES):
            if move.etims_state == 'signed':
                raise UserError(_("%s is signed by KRA eTIMS: it cannot be reset to draft or cancelled. "
                                  "Issue a credit note instead.", move.name))
            raise UserError(_("%(move)s holds eTIMS invoice number %(number)s and KRA may already have it: it "
                              "cannot be reset to draft until eTIMS answers or its receipt is confirmed.",
                              move=move.name, number=move.etims_invoice_number))

    def button_draft(self):
        result = super().button_draft()
        # not sent yet: it leaves the queue and is queued again when posted
        self.filtered(lambda move: move.etims_state in ('pending', 'to_send', 'error'))._etims_write({
            'etims_state': False, 'etims_error': False, 'etims_attempt_count': 0, 'etims_next_attempt_at': False,
        })
        return result

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_etims_send(self):
        """Button "Send to eTIMS": queue the invoice and send it at once (after this transaction)."""
        for move in self:
            if move.state != 'posted' or move.move_type not in SALE_TYPES:
                raise UserError(_("Only posted customer invoices and credit notes are sent to eTIMS (%s).", move.name))
            if move.etims_state in ('signed', 'to_confirm'):
                raise UserError(_("%s is already with eTIMS.", move.name))
            if not move.etims_device_id:
                device = self.env['ddcpts.etims.device']._etims_device_for(move.company_id, move.journal_id)
                if not device:
                    raise UserError(_("Set up an eTIMS device for %s first.", move.company_id.name))
                move._etims_write({'etims_device_id': device.id})
        self._etims_enqueue(now=True)
        return notification(_("Sent to eTIMS: the status shows the result."), kind='info', reload=True)

    def action_etims_confirm_receipt(self):
        """Button (994 case): the receipt data copied from the eTIMS portal is entered by hand."""
        for move in self:
            if move.etims_state != 'to_confirm':
                raise UserError(_("Only invoices KRA already had (994) are confirmed by hand (%s).", move.name))
            if not (move.etims_receipt_number and move.etims_signature and move.etims_internal_data):
                raise UserError(_("Enter the receipt number, internal data and signature of %s from the eTIMS "
                                  "portal first.", move.name))
            move._etims_set_signed({}, note=_("Receipt entered by %s.", self.env.user.name))
        return True

    def action_etims_renumber(self):
        """Button (managers): KRA holds this number for another document; send under the next number."""
        if not self.env.user.has_group('ddcpts_base.group_ddcpts_manager'):
            raise UserError(_("Only East Africa Integrations managers can send an invoice under a new number."))
        for move in self:
            if move.etims_state not in ('to_confirm', 'error') or not move.etims_invoice_number:
                raise UserError(_("%s has no eTIMS number to give up.", move.name))
            move.message_post(body=_("eTIMS number %s given up: the invoice is sent under a new number.",
                                     move.etims_invoice_number))
            move._etims_write({'etims_invoice_number': 0, 'etims_state': 'pending', 'etims_attempt_count': 0})
        self._etims_enqueue(now=True)
        return True

    # ------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------

    def _etims_enqueue(self, now=False):
        """Put the invoices in their device's queue; it is sent once this transaction is committed."""
        moves = self.filtered(lambda move: move.etims_state not in ('signed', 'to_confirm', 'sending'))
        for move in moves:
            # a document that holds a number goes first, with its number (KRA needs them in order)
            move._etims_write({'etims_state': 'sending' if move.etims_invoice_number else 'to_send',
                               'etims_error': False, **({'etims_next_attempt_at': False} if now else {})})
        moves.etims_device_id._etims_schedule_queue()

    @api.model
    def _etims_next_in_queue(self, device):
        """The next document of a device: first the one holding a number, then the oldest queued one."""
        holding = self.search([('etims_device_id', '=', device.id), ('etims_state', '=', 'sending')],
                              order='etims_invoice_number', limit=1)
        if holding:
            return holding if holding._etims_is_due() else self.browse()
        return self.search([
            ('etims_device_id', '=', device.id), ('etims_state', '=', 'to_send'), ('state', '=', 'posted'),
            '|', ('etims_next_attempt_at', '=', False), ('etims_next_attempt_at', '<=', fields.Datetime.now()),
        ], order='id', limit=1)

    def _etims_send_sale(self):
        """Send this invoice (the head of its device's queue); return True when the next one may go.

        The number is committed before the call, so it can never be given to another document; a
        connection error keeps it (the retry sends the same number) and holds the queue back, since
        numbers must reach KRA in order.
        """
        self.ensure_one()
        try:
            payload = self._etims_sale_payload()
        except EtimsUnavailable as error:
            self._etims_schedule_retry(error)
            return False
        except UserError as error:
            if self.etims_invoice_number:
                self._etims_schedule_retry(error)
                return False
            self._etims_set_error(error)
            return True
        if not self.etims_invoice_number:
            self._etims_assign_number()
            self.env.cr.commit()
        payload['invcNo'] = self.etims_invoice_number
        try:
            envelope = self.etims_device_id._etims_call('saveTrnsSalesOsdc', payload, related=self)
        except EtimsUnavailable as error:
            self._etims_schedule_retry(error)
            return False
        except EtimsRejected as error:
            if error.code == const.DUPLICATE:
                self._etims_reconcile_duplicate()
            else:
                self._etims_reject(error)
            return True
        if not envelope['data'].get('rcptSign'):
            self._etims_needs_receipt(_("KRA accepted eTIMS invoice number %s but sent no receipt signature: copy "
                                        "the receipt from the eTIMS portal and confirm it.", self.etims_invoice_number))
            return True
        self._etims_set_signed(envelope['data'])
        return True

    def _etims_needs_receipt(self, message):
        """KRA holds the number but Odoo has no signed receipt: someone copies it from the eTIMS portal."""
        self._etims_write({'etims_state': 'to_confirm', 'etims_error': message, 'etims_next_attempt_at': False})
        self.message_post(body=message)

    def _etims_assign_number(self):
        """Next invcNo of the branch (gap-free; the unique constraint makes "never twice" certain)."""
        number = self.etims_device_id._etims_next_number('sale')
        self._etims_write({'etims_invoice_number': number, 'etims_state': 'sending'})

    def _etims_set_error(self, error):
        """Data KRA cannot accept: nothing was sent under a number; fix it and send again."""
        self._etims_write({'etims_state': 'error', 'etims_error': str(error), 'etims_next_attempt_at': False})
        self.message_post(body=_("Not sent to eTIMS: %s", error))

    def _etims_reject(self, error):
        """KRA refused the invoice: it did not store the number, so the number goes back to the branch."""
        if self.etims_device_id._etims_release_number('sale', self.etims_invoice_number):
            self._etims_write({'etims_invoice_number': 0})
        self._etims_set_error(error)

    def _etims_reconcile_duplicate(self):
        """994: KRA already has this number, most likely from an attempt whose answer was lost.

        The answer may still be in the call log (it is written in its own transaction): then the
        invoice is signed with it. Otherwise someone copies the receipt from the eTIMS portal.
        Either way the number stays used: it is never sent again under another number by itself.
        """
        receipt = self._etims_receipt_from_call_log()
        if receipt:
            self._etims_set_signed(receipt, note=_("KRA already had it (994); its receipt was recovered from "
                                                   "the call log."))
            return
        self._etims_needs_receipt(_("KRA already holds eTIMS invoice number %s (994): an earlier attempt most "
                                    "likely went through but its answer was lost. Copy the receipt from the eTIMS "
                                    "portal and confirm it.", self.etims_invoice_number))

    def _etims_receipt_from_call_log(self):
        calls = self.env['ddcpts.provider.call'].sudo().search([
            ('related_model', '=', self._name), ('related_id', '=', self.id),
            ('endpoint', '=', 'saveTrnsSalesOsdc'), ('success', '=', True),
        ], order='id desc')
        for call in calls:
            try:
                request, answer = json.loads(call.request_body or '{}'), json.loads(call.response_body or '{}')
            except ValueError:
                continue
            if str(answer.get('resultCd')) == const.SUCCESS and str(request.get('invcNo')) == str(
                    self.etims_invoice_number) and isinstance(answer.get('data'), dict) and answer['data'].get(
                    'rcptSign'):
                return answer['data']
        return None

    def _etims_set_signed(self, receipt, note=None):
        """Store KRA's receipt, freeze the invoice and tell subscribers."""
        device = self.etims_device_id
        values = {
            'etims_state': 'signed', 'etims_error': False, 'etims_next_attempt_at': False,
            'etims_sent_at': fields.Datetime.now(), 'etims_sdc_id': device.sdc_id, 'etims_mrc_no': device.mrc_no,
        }
        if receipt:
            values.update({
                'etims_receipt_number': str(receipt.get('curRcptNo') or ''),
                'etims_total_receipt_number': str(receipt.get('totRcptNo') or ''),
                'etims_internal_data': receipt.get('intrlData') or False,
                'etims_signature': receipt.get('rcptSign') or False,
                'etims_sdc_datetime': parse_kra_datetime(receipt.get('sdcDateTime')),
            })
        self._etims_write(values)
        self.message_post(body=note or _("Signed by KRA eTIMS: invoice number %(number)s, receipt %(receipt)s.",
                                         number=self.etims_invoice_number, receipt=self.etims_receipt_number))
        self.env['ddcpts.webhook.endpoint']._ddcpts_emit('invoice.fiscalized', self._etims_webhook_data(), record=self)

    def _etims_webhook_data(self):
        self.ensure_one()
        return {
            'invoice': self.name,
            'invoice_id': self.id,
            'move_type': self.move_type,
            'partner': self.partner_id.display_name,
            'customer_pin': self.commercial_partner_id.kra_pin or None,
            'amount_total': self.amount_total,
            'currency': self.currency_id.name,
            'etims_invoice_number': self.etims_invoice_number,
            'original_invoice_number': self.etims_original_invoice_number or None,
            'receipt_number': self.etims_receipt_number,
            'total_receipt_number': self.etims_total_receipt_number,
            'internal_data': self.etims_internal_data,
            'signature': self.etims_signature,
            'sdc_id': self.etims_sdc_id,
            'mrc_no': self.etims_mrc_no,
            'sdc_datetime': self.etims_sdc_datetime,
            'qr_url': self.etims_qr_url,
        }

    # ------------------------------------------------------------------
    # Payload
    # ------------------------------------------------------------------

    def _etims_document_lines(self, problems):
        """``[(account.move.line, EtimsLine)]`` in KES, from the amounts booked on the invoice.

        Each line eTIMS cannot take is named in ``problems`` (a list of sentences) instead.
        """
        self.ensure_one()
        currency_source = self._etims_kes_source()
        base_lines, _tax_lines = self._get_rounded_base_and_tax_lines()
        rates = self.env['ddcpts.etims.device']._etims_tax_rates()
        result = []
        for base_line in base_lines:
            line = base_line['record']
            if base_line['special_type'] or not isinstance(line, models.BaseModel):
                problems.append(_("%s has an early payment discount or cash rounding line, which eTIMS cannot "
                                  "take.", self.name))
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
                net, tax = (self.company_id.currency_id._convert(
                    amount, self._etims_kes(), self.company_id, self.invoice_date or fields.Date.today())
                    for amount in (net, tax))
            if float_compare(net, 0, precision_digits=2) < 0:
                problems.append(_("%s has a negative amount: use a discount on the line it reduces instead.", label))
                continue
            result.append((line, EtimsLine(
                quantity=line.quantity, discount=line.discount, tax_type=mapped.etims_tax_type,
                rate=rates.get(mapped.etims_tax_type, mapped.amount), net=net, tax=tax,
            )))
        if not result and not problems:
            problems.append(_("%s has no line to send.", self.name))
        return result

    def _etims_raise_problems(self, problems):
        if problems:
            raise UserError(_("%(move)s cannot be sent to eTIMS:\n%(problems)s", move=self.name,
                              problems='\n'.join(f'- {problem}' for problem in problems)))

    def _etims_kes(self):
        return self.env.ref('base.KES')

    def _etims_kes_source(self):
        """Which booked amounts are in KES: the invoice's, the company's, or the company's converted."""
        if self.currency_id == self._etims_kes():
            return 'currency'
        if self.company_id.currency_id == self._etims_kes():
            return 'company'
        return 'convert'

    def _etims_amounts(self, document_lines=None):
        """``(lines, item_amounts, totals)``: THE computation of the amounts sent to eTIMS.

        The totals are checked against the invoice's own totals in KES (less taxes that have no KRA
        tax type, such as withholding): a difference is a bug, and nothing is sent.

        :param document_lines: the result of ``_etims_document_lines`` when the caller checked it
        :raise UserError: naming every line eTIMS cannot take
        """
        self.ensure_one()
        if document_lines is None:
            problems = []
            document_lines = self._etims_document_lines(problems)
            self._etims_raise_problems(problems)
        device = self.etims_device_id or self.env['ddcpts.etims.device']._etims_device_for(
            self.company_id, self.journal_id)
        items, totals = compute_amounts([etims_line for _line, etims_line in document_lines],
                                        tax_inclusive=device.tax_inclusive_amounts if device else True,
                                        rates=self.env['ddcpts.etims.device']._etims_tax_rates())
        expected = self._etims_expected_total()
        if expected is not None and float_compare(float(totals['totAmt']), expected, precision_digits=2):
            raise UserError(_("The eTIMS total of %(move)s (%(etims)s) differs from the invoice total (%(total)s): "
                              "nothing was sent.", move=self.name, etims=totals['totAmt'], total=expected))
        return document_lines, items, totals

    def _etims_expected_total(self):
        """Invoice total in KES without taxes that have no KRA tax type; None when converted per line."""
        source = self._etims_kes_source()
        if source == 'convert':
            return None
        field = 'amount_currency' if source == 'currency' else 'balance'
        # what taxes without a KRA tax type (e.g. withholding) add to the total
        other_taxes = sum(line[field] * self.direction_sign for line in self.line_ids
                          if line.tax_line_id and not line.tax_line_id.etims_tax_type)
        total = self.amount_total if source == 'currency' else abs(self.amount_total_signed)
        return round(total - other_taxes, 2)

    def _etims_user_fields(self):
        user = self.invoice_user_id or self.env.user
        return {'regrId': user.login[:20], 'regrNm': user.name[:60], 'modrId': user.login[:20],
                'modrNm': user.name[:60]}

    def _etims_sale_payload(self):
        """The ``saveTrnsSalesOsdc`` body, without ``invcNo`` (given when it is sent).

        Registers the items (saveItem) and, when the device asks for it, the customer first.
        :raise UserError: listing everything to fix (lines, products, units, customer, credit note)
        """
        self.ensure_one()
        device = self.etims_device_id
        problems = []
        document_lines = self._etims_document_lines(problems)
        is_refund = self.move_type == 'out_refund'
        if is_refund:
            if not self.etims_refund_reason:
                problems.append(_("Set the KRA credit note reason of %s.", self.name))
            original = self.reversed_entry_id
            if not original:
                problems.append(_("%s reverses no invoice: eTIMS needs the original invoice.", self.name))
            elif original.etims_state != 'signed':
                problems.append(_("The original invoice %s is not signed by eTIMS yet.", original.name))
        problems += self.invoice_line_ids.product_id._etims_master_data_problems()
        self._etims_raise_problems(problems)
        document_lines, items, totals = self._etims_amounts(document_lines)
        customer = self.commercial_partner_id
        for line, etims_line in document_lines:
            line.product_id._etims_ensure_registered(device, etims_line.tax_type)
        if device.register_customers and customer.kra_pin:
            customer._etims_ensure_registered(device)
        item_list = []
        for sequence, ((line, etims_line), amounts) in enumerate(zip(document_lines, items), start=1):
            product = line.product_id.with_company(self.company_id)
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
        company = self.company_id
        return {
            'tin': device.tin,
            'bhfId': device.branch_code,
            'trdInvcNo': self.name[:50],
            'orgInvcNo': self.reversed_entry_id.etims_invoice_number if is_refund else 0,
            'custTin': customer.kra_pin or None,
            'custNm': (customer.name or '')[:60] or None,
            'salesTyCd': 'N',
            'rcptTyCd': 'R' if is_refund else 'S',
            'pmtTyCd': self._etims_payment_type_code(),
            'salesSttsCd': '02',
            'cfmDt': now,
            'salesDt': kra_date(self.invoice_date),
            'stockRlsDt': None,
            'cnclReqDt': None, 'cnclDt': None,
            'rfdDt': now if is_refund else None,
            'rfdRsnCd': self.etims_refund_reason if is_refund else None,
            'totItemCnt': len(item_list),
            **as_json_numbers(totals),
            'prchrAcptcYn': 'N',
            'remark': (self.ref or '')[:400] or None,
            **self._etims_user_fields(),
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

    # ------------------------------------------------------------------
    # Purchases
    # ------------------------------------------------------------------

    def _etims_confirm_purchase(self):
        """``insertTrnsPurchase`` for fetched supplier invoices, when posted (and by the retry cron).

        994 means KRA has the confirmation already (a lost answer): it counts as confirmed.
        """
        for bill in self:
            device = bill.etims_device_id or self.env['ddcpts.etims.device']._etims_device_for(
                bill.company_id, bill.journal_id)
            if not device:
                continue
            try:
                with self.env.cr.savepoint():
                    if not bill.etims_purchase_number:
                        bill._etims_write({'etims_purchase_number': int(
                            self.env['ir.sequence'].sudo().next_by_code('ddcpts.etims.purchase'))})
                    device._etims_call('insertTrnsPurchase', bill._etims_purchase_payload(device), related=bill)
            except EtimsRejected as error:
                if error.code != const.DUPLICATE:
                    bill._etims_purchase_failed(error)
                    continue
            except UserError as error:
                bill._etims_purchase_failed(error)
                continue
            bill._etims_write({'etims_purchase_state': 'confirmed', 'etims_error': False,
                               'etims_device_id': device.id})
            bill.message_post(body=_("Purchase confirmed to eTIMS (number %s).", bill.etims_purchase_number))

    def _etims_purchase_failed(self, error):
        self._etims_write({'etims_purchase_state': 'error', 'etims_error': str(error)})
        self.message_post(body=_("Purchase not confirmed to eTIMS, it will be retried: %s", error))

    def _etims_purchase_payload(self, device):
        self.ensure_one()
        document_lines, items, totals = self._etims_amounts()
        supplier_number = self.etims_supplier_invoice_number or ''
        item_list = []
        for sequence, ((line, etims_line), amounts) in enumerate(zip(document_lines, items), start=1):
            product = line.product_id.with_company(self.company_id)
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
            'invcNo': self.etims_purchase_number,
            'orgInvcNo': self.reversed_entry_id.etims_purchase_number if self.move_type == 'in_refund' else 0,
            'spplrTin': self.etims_supplier_tin or self.commercial_partner_id.kra_pin or None,
            'spplrBhfId': self.etims_supplier_branch or None,
            'spplrNm': (self.commercial_partner_id.name or '')[:60],
            'spplrInvcNo': int(supplier_number) if supplier_number.isdigit() else supplier_number or None,
            'regTyCd': 'A' if self.etims_supplier_invoice_number else 'M',
            'pchsTyCd': 'N',
            'rcptTyCd': 'R' if self.move_type == 'in_refund' else 'P',
            'pmtTyCd': self._etims_payment_type_code(),
            'pchsSttsCd': '02',
            'cfmDt': kra_datetime(),
            'pchsDt': kra_date(self.invoice_date),
            'wrhsDt': None, 'cnclReqDt': None, 'cnclDt': None, 'rfdDt': None,
            'totItemCnt': len(item_list),
            **as_json_numbers(totals),
            'remark': (self.ref or '')[:400] or None,
            **self._etims_user_fields(),
            'itemList': item_list,
        }

    @api.model
    def _etims_create_vendor_bills(self, device, data):
        """Draft vendor bills (or refunds) of the supplier invoices in ``data.saleList``; known ones are skipped."""
        company = device.company_id
        bills = self.browse()
        for sale in data.get('saleList') or []:
            tin = str(sale.get('spplrTin') or '').strip().upper()
            number = str(sale.get('spplrInvcNo') or '').strip()
            if not tin or not number:
                continue
            branch = str(sale.get('spplrBhfId') or '00').strip()
            move_type = 'in_refund' if sale.get('rcptTyCd') == 'R' else 'in_invoice'
            if self.search_count([
                ('company_id', '=', company.id), ('etims_supplier_tin', '=', tin), ('move_type', '=', move_type),
                ('etims_supplier_branch', '=', branch), ('etims_supplier_invoice_number', '=', number),
            ]):
                continue
            vendor = self.env['res.partner']._etims_supplier(tin, sale.get('spplrNm'), company)
            bills |= self.with_company(company).create({
                'move_type': move_type,
                'company_id': company.id,
                'partner_id': vendor.id,
                'invoice_date': parse_kra_date(sale.get('salesDt')) or fields.Date.context_today(self),
                'ref': number,
                'currency_id': self._etims_kes().id,
                'etims_device_id': device.id,
                'etims_supplier_tin': tin,
                'etims_supplier_branch': branch,
                'etims_supplier_invoice_number': number,
                'etims_supplier_sdc_id': sale.get('spplrSdcId'),
                'etims_purchase_state': 'to_confirm',
                'etims_payment_type': sale.get('pmtTyCd') if sale.get('pmtTyCd') in dict(const.PAYMENT_TYPES)
                else False,
                'invoice_line_ids': [fields.Command.create(self._etims_vendor_bill_line(item, company))
                                     for item in sale.get('itemList') or []],
            })
        for bill in bills:
            bill.message_post(body=_("Fetched from eTIMS: invoice %(number)s of %(supplier)s.",
                                     number=bill.etims_supplier_invoice_number, supplier=bill.partner_id.name))
        return bills

    @api.model
    def _etims_vendor_bill_line(self, item, company):
        """A bill line for a supplier's item: our product by item code, else by name; net price and VAT."""
        Product = self.env['product.product'].with_company(company)
        code, name = str(item.get('itemCd') or '').strip(), str(item.get('itemNm') or '').strip()
        product = (code and Product.search([('etims_item_code', '=', code)], limit=1)) or (
            name and Product.search([('name', '=ilike', name), ('purchase_ok', '=', True)], limit=1))
        quantity = to_float(item.get('qty'), 1.0) or 1.0
        net = to_float(item.get('totAmt')) - to_float(item.get('taxAmt'))
        tax = company.account_purchase_tax_id
        if tax.etims_tax_type != item.get('taxTyCd') or tax.price_include:
            tax = self.env['account.tax'].search([
                ('company_id', '=', company.id), ('type_tax_use', '=', 'purchase'),
                ('etims_tax_type', '=', item.get('taxTyCd')), ('price_include', '=', False),
            ], limit=1)
        return {
            'product_id': product.id if product else False,
            'name': name or code,
            'quantity': quantity,
            'price_unit': net / quantity,
            'tax_ids': [fields.Command.set(tax.ids)],
            'etims_supplier_item_code': code or False,
            'etims_supplier_item_class': item.get('itemClsCd') or False,
            'etims_supplier_item_name': name or False,
        }

    @api.model
    def _cron_retry_purchase_confirmations(self):
        self.search([('etims_purchase_state', '=', 'error'), ('state', '=', 'posted')],
                    limit=const.QUEUE_BATCH_SIZE)._etims_confirm_purchase()
