import json
import logging
from datetime import timedelta

from odoo import _, api, fields, models

from odoo.addons.ddcpts_base.exceptions import CallbackInputError
from odoo.addons.ddcpts_base.tools.locking import process_queue, search_lock

_logger = logging.getLogger(__name__)

FINAL_STATES = frozenset({'delivered', 'failed'})
DELIVERY_PROCESSOR = 'ddcpts.sms.message._ddcpts_process_delivery'
# answered to a report about an SMS not recorded yet: accepted and kept, the cron applies it (a 5xx would make
# the provider send it again and again, each time stored anew)
NOT_YET_KNOWN = 202
BUSY = 503  # answered by callback_route when the report kept conflicting with concurrent updates
EARLY_REPORT_RETRY = timedelta(days=1)
EARLY_REPORT_BATCH = 1000
EARLY_REPORT_CHUNK = 50  # reports applied per transaction


def _e164(number):
    digits = ''.join(char for char in str(number or '') if char.isdigit())
    return f'+{digits}' if digits else False


class DdcptsSmsMessage(models.Model):
    """One SMS handed to a gateway (or refused by it): the provider's message id, parts and cost,
    and its delivery, kept after core deletes the sent ``sms.sms``.

    Delivery reports find their message here by the provider's id, then update the ``sms.tracker``
    of the same ``sms_uuid`` (hence the chatter notification or the mailing trace).
    """
    _name = 'ddcpts.sms.message'
    _description = "SMS sent through a gateway"
    _order = 'id desc'
    _rec_name = 'number'

    gateway_id = fields.Many2one('ddcpts.sms.gateway', required=True, index=True, ondelete='restrict', readonly=True)
    gateway_type = fields.Selection(related='gateway_id.type', string="Gateway Type")
    company_id = fields.Many2one('res.company', index=True, readonly=True)
    sms_uuid = fields.Char("SMS UUID", index='btree_not_null', readonly=True,
                           help="uuid of the sms.sms (and of its tracker) this message was sent for.")
    sms_tracker_id = fields.Many2one('sms.tracker', "SMS Tracker", index='btree_not_null', ondelete='set null',
                                     readonly=True, help="Chatter notification or mailing trace of the SMS.")
    sms_id = fields.Many2one('sms.sms', "Kept SMS", index='btree_not_null', ondelete='set null', readonly=True,
                             help="The sms.sms row, while core keeps it (sent without being flagged for deletion).")
    partner_id = fields.Many2one('res.partner', "Contact", index='btree_not_null', readonly=True)
    number = fields.Char(required=True, readonly=True)
    provider_message_id = fields.Char("Provider Message ID", readonly=True, index='btree_not_null', copy=False)
    state = fields.Selection([
        ('sent', "Sent"),
        ('buffered', "At the Carrier"),
        ('delivered', "Delivered"),
        ('failed', "Failed"),
    ], required=True, default='sent', index=True, readonly=True,
        help="Sent: accepted by the gateway. At the carrier: the network holds it (phone off, retrying). "
             "Failed: refused by the gateway or not delivered.")
    failure_type = fields.Char(readonly=True, help="sms.sms failure type, or the notification delivery error.")
    failure_reason = fields.Char(readonly=True, help="The provider's own words.")
    provider_status = fields.Char(readonly=True, help="Last status the provider gave.")
    network_code = fields.Char(readonly=True)
    encoding = fields.Selection([('gsm7', "GSM-7"), ('ucs2', "UCS-2 (Unicode)")], readonly=True)
    segments = fields.Integer("Parts", readonly=True, help="SMS billed for this message.")
    currency_id = fields.Many2one('res.currency', readonly=True)
    cost = fields.Monetary(readonly=True)
    sent_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True, readonly=True)
    delivered_at = fields.Datetime(readonly=True)
    last_report_at = fields.Datetime("Last Report", readonly=True)

    def init(self):
        self.env.cr.execute(f"""
            CREATE INDEX IF NOT EXISTS {self._table}_gateway_provider_message_idx
                ON {self._table} (gateway_id, provider_message_id) WHERE provider_message_id IS NOT NULL
        """)

    # ------------------------------------------------------------------
    # Creation from send outcomes
    # ------------------------------------------------------------------

    @api.model
    def _ddcpts_values(self, gateway, outcome, number, length, sms=None, company=None, currencies=None,
                       keep_sms=False):
        """Values of the row recording ``outcome`` (a ``SendOutcome``) of ``number`` on ``gateway``.

        :param bool keep_sms: the ``sms.sms`` row stays (not flagged for deletion): its delivery
            report flags it

        :param dict currencies: currency code -> ``res.currency``, filled as codes are met, so that a
            batch of messages looks each currency up once
        """
        currencies = {} if currencies is None else currencies
        if outcome.currency not in currencies:
            currencies[outcome.currency] = self._ddcpts_currency(outcome.currency)
        currency = currencies[outcome.currency]
        return {
            'gateway_id': gateway.id,
            'company_id': (company or gateway.company_id).id,
            'sms_uuid': sms.uuid if sms else False,
            'sms_tracker_id': sms.sms_tracker_id[:1].id if sms else False,
            'sms_id': sms.id if sms and keep_sms else False,
            'partner_id': sms.partner_id.id if sms else False,
            'number': number,
            'provider_message_id': outcome.message_id or False,
            'state': 'sent' if outcome.accepted else 'failed',
            'failure_type': outcome.failure_type or False,
            'failure_reason': outcome.reason or False,
            'provider_status': outcome.provider_status or False,
            'encoding': length.encoding,
            'segments': outcome.parts or length.parts,
            'currency_id': currency.id,
            'cost': outcome.cost if currency and outcome.cost else 0.0,
        }

    @api.model
    def _ddcpts_currency(self, code):
        if not code:
            return self.env['res.currency']
        return self.env['res.currency'].with_context(active_test=False).search([('name', '=', code)], limit=1)

    # ------------------------------------------------------------------
    # Delivery reports
    # ------------------------------------------------------------------

    @api.model
    def _ddcpts_process_delivery(self, callback):
        """Processor of every gateway's delivery-report route (see controllers/main.py).

        A report can arrive before the transaction that sent its SMS has committed (the gateway
        answered, Odoo is still recording the batch): it is then answered 202, kept as failed, and
        processed again by ``_cron_apply_early_reports``. When a request carries several reports
        (Infobip, MTN), the known ones are applied at once and only the others wait, split into a
        callback of their own: refusing the whole request would hold them back with the unknown ones.
        """
        gateway = callback._ddcpts_provider_record()
        reports = gateway._ddcpts_delivery_reports(callback)
        changed, unknown = 0, []
        reported = self._ddcpts_lock_reported(gateway, [report.message_id for report in reports])
        messages_by_id = reported.grouped('provider_message_id')
        for report in reports:
            messages = messages_by_id.get(report.message_id)
            if not messages:
                unknown.append(report)
                continue
            message = self._ddcpts_reported_message(messages, report)
            if message:
                callback._ddcpts_link(message, reference=report.message_id)
                changed += message._ddcpts_apply_report(report)
        if unknown and len(unknown) == len(reports):
            raise CallbackInputError(_(
                "No SMS sent through %(gateway)s has the id %(ids)s (yet): the report is kept and processed again "
                "for a day.", gateway=gateway.name, ids=', '.join(report.message_id for report in unknown),
            ), status=NOT_YET_KNOWN)
        if unknown:
            self._ddcpts_defer_reports(callback, gateway, unknown)
        if reports and not changed:
            callback._ddcpts_mark_duplicate(reports[0].message_id)
        return changed

    @api.model
    def _ddcpts_defer_reports(self, callback, gateway, reports):
        """Keep ``reports`` (about SMS not recorded yet) in a copy of ``callback`` holding only them,
        failed like a report that came too early, so that ``_cron_apply_early_reports`` retries them."""
        body = getattr(gateway, f'_ddcpts_{gateway.type}_delivery_body')([report.raw for report in reports])
        callback.copy({
            'body': json.dumps(body), 'state': 'failed', 'response_status': NOT_YET_KNOWN,
            'error': _("Split from callback %(callback)s: no SMS sent through %(gateway)s has the id %(ids)s (yet).",
                       callback=callback.id, gateway=gateway.name,
                       ids=', '.join(report.message_id for report in reports)),
            'received_at': callback.received_at, 'attempt_count': 0, 'processed_at': False, 'reference': False,
            'related_model': False, 'related_id': False,
        })

    @api.model
    def _ddcpts_lock_reported(self, gateway, message_ids):
        """The messages of ``gateway`` with these provider ids, found, locked and read by one query
        (a concurrent report about the same message waits, then sees what this one wrote)."""
        if not message_ids:
            return self.browse()
        return search_lock(self, [('gateway_id', '=', gateway.id), ('provider_message_id', 'in', message_ids)])

    @api.model
    def _ddcpts_reported_message(self, messages, report):
        """The message a report is about. Several messages share an id only on MTN (one id per
        request): the number then tells them apart, and nothing is guessed without it."""
        if len(messages) > 1:
            messages = messages.filtered(lambda message: message.number == _e164(report.number))
        if len(messages) != 1:
            _logger.info("Delivery report %s matches %s messages: ignored", report.message_id, len(messages))
            return self.browse()
        return messages

    @api.model
    def _cron_apply_early_reports(self):
        """Process again the delivery reports refused because their SMS was not recorded yet (and
        those refused while busy), for a day after they arrived; each claimed first, so that two
        workers never apply one report."""
        domain = [('state', '=', 'failed'), ('response_status', 'in', (NOT_YET_KNOWN, BUSY)),
                  ('processor', '=', DELIVERY_PROCESSOR),
                  ('received_at', '>=', fields.Datetime.now() - EARLY_REPORT_RETRY)]
        process_queue(self.env['ddcpts.callback'].sudo(), domain,
                      lambda callbacks: [callback._ddcpts_process() for callback in callbacks],
                      limit=EARLY_REPORT_BATCH, chunk=EARLY_REPORT_CHUNK,
                      cron_xmlid='ddcpts_sms.ir_cron_apply_early_delivery_reports')

    def _ddcpts_apply_report(self, report):
        """Apply a ``DeliveryReport``; return False when it changes nothing (replay, or late after a final state)."""
        self.ensure_one()
        if self.state in FINAL_STATES or report.state is None \
                or (report.state == self.state and report.provider_status == self.provider_status):
            return False
        now = fields.Datetime.now()
        values = {'state': report.state, 'provider_status': report.provider_status, 'last_report_at': now}
        if report.state == 'delivered':
            values['delivered_at'] = now
        if report.state == 'failed':
            values.update(failure_type=f'sms_{report.delivery_error}', failure_reason=report.reason or False)
        if report.network_code:
            values['network_code'] = report.network_code
        if report.parts:
            values['segments'] = report.parts
        currency = self._ddcpts_currency(report.currency)
        if report.cost is not None and currency:
            values.update(cost=report.cost, currency_id=currency.id)
        self.write(values)
        self._ddcpts_update_trackers(report)
        return True

    def _ddcpts_update_trackers(self, report):
        """Mirror a final delivery state on the chatter notification / mailing trace, like core does
        for IAP reports (``/sms/status``)."""
        if report.state not in FINAL_STATES:
            return
        trackers = self.sms_tracker_id.sudo()
        if trackers and report.state == 'delivered':
            trackers._action_update_from_sms_state('sent')
        elif trackers:
            trackers._action_update_from_provider_error(report.delivery_error)
            trackers.mail_notification_id.filtered(
                lambda notification: notification.notification_status in ('exception', 'bounce')
                and not notification.failure_reason
            ).failure_reason = report.reason
        self.sms_id.sudo().filtered(lambda sms: not sms.to_delete).to_delete = True

    def action_open_document(self):
        """Open the document on whose chatter the SMS was sent."""
        self.ensure_one()
        tracker = self.env['sms.tracker'].sudo().search([('sms_uuid', '=', self.sms_uuid)])
        notification = tracker.mail_notification_id[:1]
        if not notification.mail_message_id.model:
            return False
        return {
            'type': 'ir.actions.act_window',
            'name': _("Document"),
            'res_model': notification.mail_message_id.model,
            'res_id': notification.mail_message_id.res_id,
            'view_mode': 'form',
        }
