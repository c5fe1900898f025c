import logging
from collections import defaultdict

from odoo import _, api, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools.locking import lock_rows
from odoo.addons.ddcpts_sms.tools import sms_api
from odoo.addons.ddcpts_sms.tools.outcomes import refused
from odoo.addons.ddcpts_sms.tools.sms_length import sms_length

_logger = logging.getLogger(__name__)


class SmsSms(models.Model):
    """Every SMS Odoo sends (chatter, templates, composer, marketing) goes through the DDCPTS gateways
    instead of IAP once its company has an active gateway: ``_send()`` sends one batch."""
    _inherit = 'sms.sms'

    def _register_hook(self):
        super()._register_hook()
        sms_api.install()

    @api.model_create_multi
    def create(self, vals_list):
        """Queued SMS (mass mode) are sent within a minute, not at the next hourly queue run."""
        records = super().create(vals_list)
        if 'outgoing' in records.mapped('state') and self.env['ddcpts.sms.gateway'].sudo().search_count([], limit=1):
            self.env.ref('sms.ir_cron_sms_scheduler_action')._trigger()
        return records

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        routed, rest = self._ddcpts_split_by_gateways()
        for company, gateways, sms in routed:
            sms._ddcpts_send_through(gateways, company, unlink_failed=unlink_failed, unlink_sent=unlink_sent,
                                     raise_exception=raise_exception)
        if rest:
            return super(SmsSms, rest.with_context(ddcpts_sms_iap=True))._send(
                unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception)
        return None

    # ------------------------------------------------------------------
    # Sending through the gateways
    # ------------------------------------------------------------------

    def _ddcpts_company(self):
        """The company whose gateways send this SMS: the company of the document it was posted on."""
        self.ensure_one()
        return self.mail_message_id.record_company_id or self.env.company

    def _ddcpts_split_by_gateways(self):
        """``([(company, gateways, sms)], rest)``: SMS of companies with active gateways, and the others."""
        Gateway = self.env['ddcpts.sms.gateway']
        routed, rest = [], self.browse()
        for company, sms in self.grouped(lambda sms: sms._ddcpts_company()).items():
            gateways = Gateway._ddcpts_gateways_for(company)
            if gateways:
                routed.append((company, gateways, sms))
            else:
                rest |= sms
        return routed, rest

    def _ddcpts_e164(self, company):
        self.ensure_one()
        country = self.partner_id.country_id or company.country_id
        return self._phone_format_number(self.number, country, force_format='E164') if self.number else False

    def _ddcpts_send_through(self, gateways, company, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """Send these SMS (one company) through ``gateways``; same text and route = bulk requests.

        The rows are claimed first: the queue's cron and an explicit ``send()`` (or two workers) may
        hold the same SMS, and only the one that locks a row still outgoing sends it.
        """
        claimed = lock_rows(self, skip_locked=True).filtered(lambda sms: sms.state == 'outgoing' and not sms.to_delete)
        if claimed != self:
            _logger.info("%s SMS already taken by another worker: not sent twice", len(self - claimed))
        claimed._ddcpts_send_claimed(gateways, company, unlink_failed=unlink_failed, unlink_sent=unlink_sent,
                                     raise_exception=raise_exception)

    def _ddcpts_send_claimed(self, gateways, company, unlink_failed, unlink_sent, raise_exception):
        outcomes, numbers, jobs = {}, {}, defaultdict(list)
        for sms in self:
            numbers[sms.id] = number = sms._ddcpts_e164(company)
            if not sms.number:
                outcomes[sms.id] = (None, refused('sms_number_missing', _("The SMS has no number.")))
            elif not number:
                outcomes[sms.id] = (None, refused('sms_number_format', _("%s is not a valid number.", sms.number)))
            elif route := gateways._ddcpts_route(number):
                jobs[sms.body or '', route].append((sms.id, number))
            else:
                outcomes[sms.id] = (None, refused('sms_country_not_supported',
                                                  _("No SMS gateway serves %s.", number)))
        unavailable = {}
        for (body, route), recipients in jobs.items():
            outcomes.update(route._ddcpts_dispatch(body, recipients, unavailable))
        if raise_exception and unavailable and not any(outcome.accepted for _gateway, outcome in outcomes.values()):
            raise UserError(_("No SMS gateway could send the SMS: %s", '; '.join(unavailable.values())))
        self._ddcpts_record_outcomes(outcomes, numbers, company, unlink_failed=unlink_failed, unlink_sent=unlink_sent)

    def _ddcpts_record_outcomes(self, outcomes, numbers, company, unlink_failed, unlink_sent):
        """Write each SMS's state like core does for IAP answers, update trackers and notifications,
        and keep a ``ddcpts.sms.message`` per SMS a gateway answered for."""
        Message = self.env['ddcpts.sms.message'].sudo()
        lengths, currencies, message_values, groups = {}, {}, [], defaultdict(list)
        for sms in self:
            gateway, outcome = outcomes[sms.id]
            if gateway:
                if sms.body not in lengths:
                    lengths[sms.body] = sms_length(sms.body)
                keep_sms = not (unlink_sent if outcome.accepted else unlink_failed)
                message_values.append(Message._ddcpts_values(gateway, outcome, numbers[sms.id], lengths[sms.body],
                                                             sms=sms, company=company, currencies=currencies,
                                                             keep_sms=keep_sms))
            key = ('pending', False, False) if outcome.accepted else ('error', outcome.failure_type, outcome.reason)
            groups[key].append(sms.id)
        Message.create(message_values)
        if ('pending', False, False) in groups:
            # reports that came back before this batch is committed are processed again right after
            self.env.ref('ddcpts_sms.ir_cron_apply_early_delivery_reports')._trigger()
        all_sms = self.sudo().with_context(sms_skip_msg_notification=True)
        for (state, failure_type, reason), ids in groups.items():
            batch = all_sms.browse(ids)
            batch.sms_tracker_id._action_update_from_sms_state(state, failure_type=failure_type, failure_reason=reason)
            delete = unlink_sent if state == 'pending' else unlink_failed
            batch.write({'state': state, 'failure_type': failure_type, **({'to_delete': True} if delete else {})})
        _logger.info("Sent %s SMS through gateways: %s",
                     len(self), {f'{state} {failure_type or ""}'.strip(): len(ids)
                                 for (state, failure_type, _reason), ids in groups.items()})
        self.mail_message_id._notify_message_notification_update()
