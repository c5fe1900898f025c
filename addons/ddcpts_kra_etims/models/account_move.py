import base64
import io
import json

import qrcode

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools import chatter
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_base.tools.locking import lock_rows, process_queue
from odoo.addons.ddcpts_base.tools.schema import SchemaError
from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.exceptions import EtimsRejected
from odoo.addons.ddcpts_kra_etims.tools.kra_format import group_by_four, parse_kra_datetime
from odoo.addons.ddcpts_kra_etims.tools.schemas import SALE_RECEIPT

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
    _etims_numbering = 'sale'
    _etims_number_field = 'etims_invoice_number'
    _etims_number_key = 'invcNo'
    _etims_state_field = 'etims_state'
    _etims_endpoint = 'saveTrnsSalesOsdc'

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
        # and the balance check of the entry, which both read its lines
        return super(AccountMove, self.with_context(skip_invoice_sync=True, check_move_validity=False))._etims_write(
            vals)

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
                                     move.etims_invoice_number), **chatter.sender(self.env))
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
    def _etims_queue_domain(self, device):
        return super()._etims_queue_domain(device) + [('state', '=', 'posted')]

    def _etims_queue_payload(self):
        """The ``saveTrnsSalesOsdc`` body; its items (and customer, when the device asks) registered first."""
        Payload = self.env['ddcpts.etims.payload']
        document_lines = Payload._etims_sale_lines(self)
        device = self.etims_device_id
        for line, etims_line in document_lines:
            line.product_id._etims_ensure_known(device, etims_line.tax_type)
        customer = self.commercial_partner_id
        if device.register_customers and customer.kra_pin:
            customer._etims_ensure_registered(device)
        return Payload._etims_sale_vals(self, document_lines)

    def _etims_queue_after(self):
        return self.reversed_entry_id if self.move_type == 'out_refund' else self.browse()

    def _etims_queue_done(self, result):
        try:
            result = SALE_RECEIPT.validate(result)
        except SchemaError as error:
            self._etims_needs_receipt(_("KRA accepted eTIMS invoice number %(number)s but its receipt cannot be "
                                        "used (%(error)s): copy the receipt from the eTIMS portal and confirm it.",
                                        number=self.etims_invoice_number, error=error))
            return
        if not result['rcptSign']:
            self._etims_needs_receipt(_("KRA accepted eTIMS invoice number %s but sent no receipt signature: copy "
                                        "the receipt from the eTIMS portal and confirm it.", self.etims_invoice_number))
            return
        self._etims_set_signed(result)

    def _etims_queue_failed(self, error):
        """Data KRA cannot accept: nothing was sent under a number; fix it and send again."""
        self._etims_write({'etims_state': 'error', 'etims_error': str(error), 'etims_next_attempt_at': False})
        self._etims_log(_("Not sent to eTIMS: %s", error))

    def _etims_needs_receipt(self, message):
        """KRA holds the number but Odoo has no signed receipt: someone copies it from the eTIMS portal."""
        self._etims_write({'etims_state': 'to_confirm', 'etims_error': message, 'etims_next_attempt_at': False})
        self._etims_log(message)

    def _etims_queue_duplicate(self):
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
            if not (isinstance(request, dict) and isinstance(answer, dict)) or str(answer.get('resultCd')) != \
                    const.SUCCESS or str(request.get('invcNo')) != str(self.etims_invoice_number):
                continue
            try:
                receipt = SALE_RECEIPT.validate(answer.get('data'))
            except SchemaError:
                continue
            if receipt['rcptSign']:
                return receipt
        return None

    def _etims_set_signed(self, receipt, note=None):
        """Store KRA's receipt, freeze the invoice and tell subscribers."""
        device = self.etims_device_id
        values = {
            'etims_state': 'signed', 'etims_error': False, 'etims_next_attempt_at': False,
            'etims_sent_at': fields.Datetime.now(), 'etims_sdc_id': device.sdc_id, 'etims_mrc_no': device.mrc_no,
        }
        if receipt:  # checked with SALE_RECEIPT
            values.update({
                'etims_receipt_number': receipt['curRcptNo'] or '',
                'etims_total_receipt_number': receipt['totRcptNo'] or '',
                'etims_internal_data': receipt['intrlData'] or False,
                'etims_signature': receipt['rcptSign'] or False,
                'etims_sdc_datetime': parse_kra_datetime(receipt['sdcDateTime']),
            })
        self._etims_write(values)
        self._etims_log(note or _("Signed by KRA eTIMS: invoice number %(number)s, receipt %(receipt)s.",
                                  number=self.etims_invoice_number, receipt=self.etims_receipt_number))
        self.env['ddcpts.webhook.endpoint']._ddcpts_emit(
            'invoice.fiscalized', lambda: self.env['ddcpts.etims.payload']._etims_fiscalized_vals(self), record=self)

    # ------------------------------------------------------------------
    # Purchases
    # ------------------------------------------------------------------

    def _etims_confirm_purchase(self):
        """``insertTrnsPurchase`` for fetched supplier invoices, when posted (and by the retry cron).

        Its ``invcNo`` comes from the device's purchase numbering, taken under the counter's lock in
        this transaction: a refusal gives it back (savepoint), a confirmation keeps it.
        994 means KRA has the confirmation already (a lost answer): it counts as confirmed.
        """
        Payload = self.env['ddcpts.etims.payload']
        for bill in self:
            device = bill.etims_device_id or self.env['ddcpts.etims.device']._etims_device_for(
                bill.company_id, bill.journal_id)
            if not device:
                continue
            try:
                with self.env.cr.savepoint():
                    payload = Payload._etims_purchase_vals(bill, device)
                    if not bill.etims_purchase_number:
                        counter = lock_rows(device._etims_counter('purchase'))
                        if not counter:
                            raise UserError(_("Another purchase of this branch is being numbered: it is retried."))
                        counter.last_number += 1
                        bill._etims_write({'etims_purchase_number': counter.last_number})
                    try:
                        device._etims_call('insertTrnsPurchase', dict(payload, invcNo=bill.etims_purchase_number),
                                           related=bill)
                    except EtimsRejected as error:
                        if error.code != const.DUPLICATE:  # 994: KRA holds it under this number
                            raise
            except UserError as error:
                bill._etims_purchase_failed(error)
                continue
            bill._etims_write({'etims_purchase_state': 'confirmed', 'etims_error': False,
                               'etims_device_id': device.id})
            bill._etims_log(_("Purchase confirmed to eTIMS (number %s).", bill.etims_purchase_number))

    def _etims_purchase_failed(self, error):
        self._etims_write({'etims_purchase_state': 'error', 'etims_error': str(error)})
        self._etims_log(_("Purchase not confirmed to eTIMS, it will be retried: %s", error))

    @api.model
    def _cron_retry_purchase_confirmations(self):
        process_queue(self, [('etims_purchase_state', '=', 'error'), ('state', '=', 'posted')],
                      lambda bills: bills._etims_confirm_purchase(), limit=const.QUEUE_BATCH_SIZE,
                      chunk=const.PURCHASE_CHUNK)
