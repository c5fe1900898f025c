import logging
import uuid
from datetime import datetime, time, timedelta

import pytz

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare
from odoo.tools.misc import formatLang

from odoo.addons.ddcpts_base.tools.identity import normalize_msisdn
from odoo.addons.ddcpts_base.tools.locking import process_queue

_logger = logging.getLogger(__name__)

SEND_BATCH_SIZE = 100
# set only by the workflow methods (which write as superuser), never directly by a user
WORKFLOW_FIELDS = frozenset({
    'state', 'requested_by_id', 'approved_by_id', 'approved_at', 'sent_at', 'done_at', 'idempotency_key',
    'payment_id', 'last_error', 'provider_message', 'maker_ids',
})
# what is paid: frozen once the payout leaves draft
PAYMENT_FIELDS = frozenset({
    'amount', 'currency_id', 'partner_id', 'recipient_phone', 'journal_id', 'channel', 'origin', 'company_id',
})
STATUS_CHECK_AFTER = timedelta(minutes=10)


class DdcptsPayout(models.Model):
    """A request to send money to a phone: the outbound money flow (docs/architecture.md).

    ``draft → to_approve → approved → sent → done | failed | cancelled``. A second person approves
    (never the requester), within their per-payout and daily limits. Approved payouts are sent by a
    cron through the adapter of their channel (``selection_add`` on ``channel`` and overrides of
    ``_ddcpts_send_to_provider`` / ``_ddcpts_check_provider_status``); the adapter reports back with
    ``_ddcpts_set_sent``, ``_ddcpts_set_done`` and ``_ddcpts_set_failed``. A done payout is booked as
    an outbound ``account.payment`` reconciled with its origin.

    Adapters must make sending idempotent with ``idempotency_key`` (e.g. M-Pesa
    OriginatorConversationID, MoMo X-Reference-Id): after a crash the cron may send again.
    """
    _name = 'ddcpts.payout'
    # posts, activity notifications and adapter messages are made as the user acting on the payout
    _inherit = ['ddcpts.chatter.mixin', 'mail.thread', 'mail.activity.mixin']
    _description = "Mobile money payout"
    _order = 'id desc'

    name = fields.Char("Reference", required=True, copy=False, readonly=True, default=lambda self: _("New"))
    state = fields.Selection([
        ('draft', "Draft"),
        ('to_approve', "To Approve"),
        ('approved', "Approved"),
        ('sent', "Sent"),
        ('done', "Done"),
        ('failed', "Failed"),
        ('cancelled', "Cancelled"),
    ], required=True, default='draft', tracking=True, index=True, copy=False)
    channel = fields.Selection(
        [('manual', "Manual (paid outside Odoo)")], required=True, default='manual', tracking=True,
        help="How the money is sent. Mobile-money addons add their own channels.",
    )
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company, index=True)
    partner_id = fields.Many2one('res.partner', "Recipient", required=True, tracking=True)
    recipient_phone = fields.Char(
        "Recipient Number", compute='_compute_recipient_phone', store=True, readonly=False, precompute=True,
        tracking=True,
        help="Mobile money number, stored as an MSISDN (e.g. 254712345678).",
    )
    journal_id = fields.Many2one(
        'account.journal', "Paid From", required=True, check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        help="Journal of the account the money leaves (e.g. the M-Pesa B2C utility account).",
    )
    currency_id = fields.Many2one('res.currency', compute='_compute_currency_id', store=True, readonly=False,
                                  precompute=True, required=True)
    amount = fields.Monetary(required=True, tracking=True)
    purpose = fields.Char(help="Shown to the recipient where the channel allows it.")
    origin = fields.Reference(selection='_selection_origin', string="Origin", index='btree_not_null',
                              help="What this payout pays: a vendor bill, a customer refund, a loan…")
    requested_by_id = fields.Many2one('res.users', "Requested By", default=lambda self: self.env.user,
                                      readonly=True, copy=False)
    maker_ids = fields.Many2many(
        'res.users', 'ddcpts_payout_maker_rel', 'payout_id', 'user_id', string="Prepared By", readonly=True,
        copy=False, help="Who requested, changed or submitted the payout: none of them may approve it.",
    )
    approved_by_id = fields.Many2one('res.users', "Approved By", readonly=True, copy=False, tracking=True)
    approved_at = fields.Datetime(readonly=True, copy=False)
    sent_at = fields.Datetime(readonly=True, copy=False)
    done_at = fields.Datetime(readonly=True, copy=False)
    idempotency_key = fields.Char(default=lambda self: str(uuid.uuid4()), readonly=True, copy=False, index=True,
                                  help="Unique id sent to the provider so a resend can never pay twice.")
    provider_reference = fields.Char(copy=False, tracking=True, index=True,
                                     help="Receipt or transaction id given by the provider.")
    provider_message = fields.Char(copy=False, readonly=True, help="Last status text from the provider.")
    last_error = fields.Text(copy=False, readonly=True)
    payment_id = fields.Many2one('account.payment', "Payment", readonly=True, copy=False)

    _sql_constraints = [
        ('amount_positive', 'CHECK(amount > 0)', "The amount of a payout must be positive."),
        ('idempotency_key_unique', 'UNIQUE(idempotency_key)', "The idempotency key of a payout is unique."),
    ]

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------

    @api.model
    def _selection_origin(self):
        """Documents a payout can pay; addons append theirs (and apply payouts in ``_ddcpts_apply_to_origin``)."""
        return [('account.move', "Journal Entry")]

    @api.depends('partner_id')
    def _compute_recipient_phone(self):
        for payout in self:
            payout.recipient_phone = payout.partner_id.mobile or payout.partner_id.phone or payout.recipient_phone

    @api.depends('journal_id')
    def _compute_currency_id(self):
        for payout in self:
            payout.currency_id = payout.journal_id.currency_id or payout.company_id.currency_id

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self.env.su and self._ddcpts_workflow_values(vals):
                raise UserError(_("A payout starts as a draft; its state changes through the buttons."))
            if vals.get('name', _("New")) == _("New"):
                vals['name'] = self.env['ir.sequence'].next_by_code('ddcpts.payout') or _("New")
            vals.setdefault('maker_ids', [Command.link(vals.get('requested_by_id') or self.env.uid)])
        payouts = super().create(vals_list)
        payouts._normalize_recipient_phone()
        return payouts

    @api.model
    def _ddcpts_workflow_values(self, vals):
        """Workflow fields given other values than their defaults (the web client sends every field of
        the form on save, e.g. ``state: 'draft'`` and ``provider_message: False``)."""
        defaults = {'state': 'draft', 'requested_by_id': self.env.uid}
        return {
            name for name in (WORKFLOW_FIELDS | {'provider_reference'}) & vals.keys()
            if vals[name] and vals[name] != defaults.get(name)
        }

    def write(self, vals):
        if not self.env.su:
            if WORKFLOW_FIELDS & vals.keys():
                raise UserError(_("Payout states change only through the buttons (submit, approve, …)."))
            if PAYMENT_FIELDS & vals.keys() and any(payout.state != 'draft' for payout in self):
                raise UserError(_("Only draft payouts can be changed; reset it to draft first."))
            if PAYMENT_FIELDS & vals.keys():
                # changing what is paid makes one a maker (e.g. an approver editing after a reset to draft)
                vals = dict(vals, maker_ids=[Command.link(self.env.uid)])
            if 'provider_reference' in vals and any(
                    payout.channel != 'manual' or payout.state != 'sent' for payout in self):
                raise UserError(_("The provider reference is set by the provider."))
        result = super().write(vals)
        if 'recipient_phone' in vals or 'partner_id' in vals:
            self._normalize_recipient_phone()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_flight_or_paid(self):
        """Money approved, on its way or paid keeps its record (the provider may still report on it)."""
        if any(payout.state in ('approved', 'sent', 'done') for payout in self):
            raise UserError(_("Approved, sent and done payouts cannot be deleted; cancel them first if possible."))

    def _normalize_recipient_phone(self):
        for payout in self.filtered('recipient_phone'):
            msisdn = payout._ddcpts_recipient_msisdn()
            if msisdn != payout.recipient_phone:
                super(DdcptsPayout, payout).write({'recipient_phone': msisdn})

    def _ddcpts_recipient_msisdn(self):
        """Hook: the recipient's number as the channel sends it (default: a Kenyan or Ghanaian MSISDN)."""
        self.ensure_one()
        country = self.partner_id.country_id.code or self.company_id.country_id.code or 'KE'
        return normalize_msisdn(self.recipient_phone, country)

    # ------------------------------------------------------------------
    # Maker-checker
    # ------------------------------------------------------------------

    def action_submit(self):
        """Requester: ask for approval; every user allowed to approve gets an activity."""
        for payout in self:
            if payout.state != 'draft':
                raise UserError(_("Only draft payouts can be submitted (%s).", payout.name))
            if not payout.recipient_phone:
                raise UserError(_("Set the recipient's mobile number on %s.", payout.name))
            payout.sudo().write({'state': 'to_approve', 'maker_ids': [Command.link(self.env.uid)]})
            for approver in payout._eligible_approvers():
                payout.activity_schedule(
                    'ddcpts_base.mail_activity_type_payout_approval', user_id=approver.id,
                    note=_("Approve the payout of %(amount)s to %(partner)s.",
                           amount=payout._format_amount(), partner=payout.partner_id.display_name),
                )
        return True

    def _eligible_approvers(self):
        self.ensure_one()
        group = self.env.ref('ddcpts_base.group_ddcpts_payout_approver')
        return group.users.filtered(lambda user: (
            user != self.requested_by_id and user not in self.maker_ids and self.company_id in user.company_ids
            and float_compare(user.ddcpts_payout_limit, self._amount_in_company_currency(),
                              precision_rounding=self.company_id.currency_id.rounding) >= 0
        ))

    def action_approve(self):
        """Checker: approve within one's limits; the send cron then pays."""
        for payout in self:
            if payout.state != 'to_approve':
                raise UserError(_("Only payouts waiting for approval can be approved (%s).", payout.name))
            payout._check_approval_rights(self.env.user)
            payout.sudo().write({'state': 'approved', 'approved_by_id': self.env.uid,
                                 'approved_at': fields.Datetime.now()})
            payout.activity_feedback(['ddcpts_base.mail_activity_type_payout_approval'],
                                     feedback=_("Approved by %s", self.env.user.name))
        self.env.ref('ddcpts_base.ir_cron_send_payouts')._trigger()
        return True

    def _check_approval_rights(self, user):
        self.ensure_one()
        if not user.has_group('ddcpts_base.group_ddcpts_payout_approver'):
            raise UserError(_("You are not allowed to approve payouts."))
        if user == self.requested_by_id or user in self.maker_ids:
            raise UserError(_("You requested or changed %s: another person must approve it.", self.name))
        rounding = self.company_id.currency_id.rounding
        amount = self._amount_in_company_currency()
        if float_compare(amount, user.ddcpts_payout_limit, precision_rounding=rounding) > 0:
            raise UserError(_("%(payout)s (%(amount)s) is above your approval limit of %(limit)s.",
                              payout=self.name, amount=self._format_amount(),
                              limit=self._format_amount(user.ddcpts_payout_limit, self.company_id.currency_id)))
        if user.ddcpts_payout_daily_limit:
            # serialise the approvals of one approver: a concurrent approval waits on this row, then fails
            # with a serialisation error and is retried by Odoo in a transaction that sees this one
            self.env.cr.execute("UPDATE res_users SET id = id WHERE id = %s", [user.id])
            approved_today = sum(payout._amount_in_company_currency() for payout in self.search([
                ('approved_by_id', '=', user.id), ('approved_at', '>=', self._start_of_today(user)),
                ('state', 'not in', ('cancelled', 'failed')), ('company_id', '=', self.company_id.id),
            ]))
            if float_compare(approved_today + amount, user.ddcpts_payout_daily_limit, precision_rounding=rounding) > 0:
                raise UserError(_(
                    "Approving %(payout)s would take your approvals today to %(total)s, above your daily limit "
                    "of %(limit)s.", payout=self.name,
                    total=self._format_amount(approved_today + amount, self.company_id.currency_id),
                    limit=self._format_amount(user.ddcpts_payout_daily_limit, self.company_id.currency_id),
                ))

    @staticmethod
    def _start_of_today(user):
        timezone = pytz.timezone(user.tz or 'UTC')
        local_midnight = timezone.localize(datetime.combine(datetime.now(timezone).date(), time.min))
        return local_midnight.astimezone(pytz.utc).replace(tzinfo=None)

    def action_cancel(self):
        for payout in self:
            if payout.state in ('sent', 'done'):
                raise UserError(_("%s was sent to the provider: it cannot be cancelled any more.", payout.name))
        self.sudo().write({'state': 'cancelled'})
        self.activity_unlink(['ddcpts_base.mail_activity_type_payout_approval'])
        return True

    def action_reset_to_draft(self):
        for payout in self:
            if payout.state not in ('to_approve', 'cancelled', 'failed'):
                raise UserError(_("Only payouts waiting for approval, cancelled or failed go back to draft."))
        self.activity_unlink(['ddcpts_base.mail_activity_type_payout_approval'])
        # a new attempt is a new payment for the provider: it gets a new idempotency key
        self.sudo().write({'state': 'draft', 'approved_by_id': False, 'approved_at': False, 'last_error': False,
                           'idempotency_key': str(uuid.uuid4())})
        return True

    # ------------------------------------------------------------------
    # Sending (cron) and adapter interface
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_approved(self):
        """Send approved payouts one at a time, each claimed first (safe with many workers)."""
        process_queue(self, [('state', '=', 'approved')], lambda payout: payout._ddcpts_send(),
                      limit=SEND_BATCH_SIZE, cron_xmlid='ddcpts_base.ir_cron_send_payouts')

    def _ddcpts_send(self):
        """Hand the payout to its adapter; an error leaves it approved, to be sent again (idempotently)."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._ddcpts_send_to_provider()
        except Exception as error:  # an adapter bug must not stop the payouts queued after this one
            if not isinstance(error, UserError):
                _logger.exception("Payout %s could not be sent", self.name)
            self.sudo().last_error = str(error)
            self.message_post(body=_("Sending failed, it will be retried: %s", error))

    def _ddcpts_send_to_provider(self):
        """Adapter hook: send the money, then call ``_ddcpts_set_sent`` (or set done/failed at once).

        Manual payouts are paid outside Odoo: sending only records that they are on their way.
        """
        self.ensure_one()
        if self.channel != 'manual':
            raise UserError(_("No adapter is installed for the %s channel.", self.channel))
        self._ddcpts_set_sent()

    @api.model
    def _cron_check_sent(self):
        """Resolve payouts sent long ago without a result (lost result callback, queue timeout).

        Each payout is claimed before its provider is asked, so two workers never query (nor
        resolve) the same payout; the result callback holding the row skips it for this run.
        """
        domain = [('state', '=', 'sent'), ('channel', '!=', 'manual'),
                  ('sent_at', '<', fields.Datetime.now() - STATUS_CHECK_AFTER)]
        process_queue(self, domain, lambda payout: payout._ddcpts_check_provider_status(), limit=SEND_BATCH_SIZE,
                      cron_xmlid='ddcpts_base.ir_cron_check_sent_payouts')

    def _ddcpts_check_provider_status(self):
        """Adapter hook: ask the provider what became of a sent payout (never resend blindly)."""
        self.ensure_one()

    def _ddcpts_set_sent(self, provider_reference=None, message=None):
        self.ensure_one()
        self.sudo().write({'state': 'sent', 'sent_at': fields.Datetime.now(), 'last_error': False,
                    'provider_reference': provider_reference or self.provider_reference,
                    'provider_message': message or self.provider_message})

    def _ddcpts_set_done(self, provider_reference=None, message=None):
        """The provider confirmed the payment: book it, apply it to its origin, tell subscribers."""
        self.ensure_one()
        if self.state == 'done':
            return
        if self.state not in ('approved', 'sent'):
            raise UserError(_("%(payout)s is %(state)s: it cannot become done.", payout=self.name,
                              state=dict(self._fields['state'].selection)[self.state]))
        self.sudo().write({'state': 'done', 'done_at': fields.Datetime.now(), 'last_error': False,
                    'provider_reference': provider_reference or self.provider_reference,
                    'provider_message': message or self.provider_message})
        # booked as superuser: the payout passed its maker-checker, and whoever confirms a manual payout
        # (a SACCO officer, say) needs no accounting rights
        booked = self.sudo()
        booked.payment_id = booked._ddcpts_create_payment()
        booked._ddcpts_apply_to_origin()
        self.message_post(body=_("Paid %(amount)s to %(phone)s (reference %(ref)s).", amount=self._format_amount(),
                                 phone=self.recipient_phone, ref=self.provider_reference or '-'))
        self.env['ddcpts.webhook.endpoint']._ddcpts_emit('payout.done', self._ddcpts_webhook_data(), record=self)

    def _ddcpts_set_failed(self, reason):
        """The provider refused or failed the payment: nothing was paid."""
        self.ensure_one()
        if self.state in ('failed', 'done'):
            return
        self.sudo().write({'state': 'failed', 'provider_message': reason, 'last_error': reason})
        self.message_post(body=_("The payout failed: %s", reason))
        self.env['ddcpts.webhook.endpoint']._ddcpts_emit('payout.failed', self._ddcpts_webhook_data(), record=self)

    def action_confirm_manual_payment(self):
        """Manual channel: the money was sent outside Odoo; record it as done."""
        for payout in self:
            if payout.channel != 'manual' or payout.state != 'sent':
                raise UserError(_("Only sent manual payouts are confirmed by hand."))
            if not payout.provider_reference:
                raise UserError(_("Enter the reference of the transfer on %s first.", payout.name))
            payout._ddcpts_set_done()
        return True

    # ------------------------------------------------------------------
    # Accounting
    # ------------------------------------------------------------------

    def _ddcpts_create_payment(self):
        self.ensure_one()
        method_line = self.journal_id.outbound_payment_method_line_ids[:1]
        if not method_line:
            raise UserError(_("The journal %s has no outgoing payment method.", self.journal_id.display_name))
        bill = self._origin_move()
        payment = self.env['account.payment'].with_company(self.company_id).create({
            'payment_type': 'outbound',
            'partner_type': 'supplier' if bill and bill.is_purchase_document(include_receipts=True) else 'customer',
            'partner_id': self.partner_id.commercial_partner_id.id,
            'amount': self.amount,
            'currency_id': self.currency_id.id,
            'journal_id': self.journal_id.id,
            'payment_method_line_id': method_line.id,
            'memo': f'{self.name} {self.provider_reference or ""}'.strip(),
            **({'destination_account_id': self._origin_counterpart_lines(bill)[:1].account_id.id} if bill else {}),
        })
        payment.action_post()
        return payment

    def _origin_move(self):
        return self.origin if self.origin and self.origin._name == 'account.move' else self.env['account.move']

    @staticmethod
    def _origin_counterpart_lines(move):
        return move.line_ids.filtered(
            lambda line: not line.reconciled
            and line.account_id.account_type in ('asset_receivable', 'liability_payable')
        )

    def _ddcpts_apply_to_origin(self):
        """Reconcile the payment with the bill or refund it pays; addons handle their own origins."""
        self.ensure_one()
        bill = self._origin_move()
        if bill and bill.state == 'posted':
            lines = self._origin_counterpart_lines(bill)
            payment_lines = self.payment_id.move_id.line_ids.filtered(lambda line: line.account_id in lines.account_id)
            (payment_lines + lines).reconcile()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _amount_in_company_currency(self):
        self.ensure_one()
        return self.currency_id._convert(self.amount, self.company_id.currency_id, self.company_id,
                                         fields.Date.context_today(self))

    def _format_amount(self, amount=None, currency=None):
        amount = self.amount if amount is None else amount
        return formatLang(self.env, amount, currency_obj=currency or self.currency_id)

    def _ddcpts_webhook_data(self):
        self.ensure_one()
        return {
            'reference': self.name,
            'state': self.state,
            'channel': self.channel,
            'amount': self.amount,
            'currency': self.currency_id.name,
            'recipient': self.partner_id.display_name,
            'recipient_phone': self.recipient_phone,
            'provider_reference': self.provider_reference,
            'message': self.provider_message,
            'origin': self.origin and f'{self.origin._name},{self.origin.id}',
        }

    @api.constrains('origin', 'partner_id')
    def _check_origin_partner(self):
        for payout in self:
            bill = payout._origin_move()
            if bill and bill.commercial_partner_id != payout.partner_id.commercial_partner_id:
                raise ValidationError(_("%(payout)s pays %(bill)s of another partner.", payout=payout.name,
                                        bill=bill.display_name))
