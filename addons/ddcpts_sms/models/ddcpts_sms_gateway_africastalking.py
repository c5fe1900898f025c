from collections import defaultdict, deque

from odoo import _, models

from odoo.addons.ddcpts_base.exceptions import CallbackInputError
from odoo.addons.ddcpts_sms import const
from odoo.addons.ddcpts_sms.exceptions import GatewayUnavailable
from odoo.addons.ddcpts_sms.tools.africastalking_sdk import (
    GatewayApplicationService,
    GatewaySMSService,
    validate_phone,
)
from odoo.addons.ddcpts_sms.tools.outcomes import (
    DeliveryReport,
    IncomingMessage,
    accepted,
    as_int,
    parse_cost,
    refused,
)


class DdcptsSmsGateway(models.Model):
    """Africa's Talking through its official SDK (``tools/africastalking_sdk.py``)."""
    _inherit = 'ddcpts.sms.gateway'

    def _ddcpts_at_service(self, service_class, endpoint, related=None):
        username, api_key = self._ddcpts_credentials()
        return service_class(self, username, api_key, api_root=self.api_url, timeout=self.timeout,
                             endpoint=endpoint, related=related)

    def _ddcpts_africastalking_send(self, body, numbers, related=None):
        """One bulk request (``to`` comma-joined); per-number statuses come back inside HTTP 2xx."""
        valid = [number for number in numbers if validate_phone(number)]
        entries = defaultdict(deque)
        if valid:
            service = self._ddcpts_at_service(GatewaySMSService, 'sms_send', related)
            response = service.send(body, valid, sender_id=self.sender_id or None, enqueue=self.at_enqueue)
            self._ddcpts_raise_if_unavailable(response)
            try:
                data = response.json()['SMSMessageData']
                recipients = data.get('Recipients') or []
            except (ValueError, KeyError, TypeError, AttributeError):
                # the request reached Africa's Talking: sending again elsewhere could send twice
                return [refused('sms_server', _("Unreadable answer from Africa's Talking: %s",
                                                response.text[:200])) for _number in numbers]
            if not recipients:
                raise GatewayUnavailable(_("Africa's Talking sent nothing: %s", data.get('Message') or response.text))
            for item in recipients:
                if isinstance(item, dict):
                    entries[str(item.get('number', '')).strip()].append(item)
        outcomes = []
        for number in numbers:
            if not validate_phone(number):
                outcomes.append(refused('sms_number_format', _("Not an international number.")))
            elif entries[number]:
                outcomes.append(self._ddcpts_at_outcome(entries[number].popleft()))
            else:
                outcomes.append(refused('unknown', _("Missing from the answer of Africa's Talking.")))
        return outcomes

    def _ddcpts_at_outcome(self, item):
        code = as_int(item.get('statusCode'))
        status = str(item.get('status') or '')
        kind, failure_type = const.AT_STATUS_CODES.get(code, ('accepted', False) if status == 'Success'
                                                       else ('number', 'unknown'))
        currency, cost = parse_cost(item.get('cost'))
        if kind == 'accepted':
            message_id = str(item.get('messageId') or '')
            return accepted(message_id if message_id not in const.AT_MISSING_MESSAGE_IDS else None,
                            parts=as_int(item.get('messageParts')), cost=cost, currency=currency,
                            provider_status=status)
        return refused(failure_type, f'{status} ({code})' if code else status,
                       retry_elsewhere=kind == 'gateway', provider_status=status)

    def _ddcpts_africastalking_balance(self):
        response = self._ddcpts_at_service(GatewayApplicationService, 'balance').fetch_application_data()
        self._ddcpts_raise_if_unavailable(response)
        try:
            return response.json()['UserData']['balance']
        except (ValueError, KeyError, TypeError) as error:
            raise GatewayUnavailable(_("Unreadable balance from Africa's Talking: %s", response.text[:200])) from error

    # ------------------------------------------------------------------
    # Callbacks (form posts; the URLs are set in the Africa's Talking dashboard)
    # ------------------------------------------------------------------

    def _ddcpts_africastalking_delivery_reports(self, callback):
        form = callback._ddcpts_payload()
        message_id, status = form.get('id', '').strip(), form.get('status', '').strip()
        if not message_id or not status:
            raise CallbackInputError(_("A delivery report needs an id and a status."))
        state = const.AT_DELIVERY_STATES.get(status)
        reason = form.get('failureReason') or False
        delivery_error = state == 'failed' and (
            const.AT_FAILURE_REASONS.get(reason) or const.AT_FAILED_STATUS_ERRORS.get(status, 'not_delivered')
        )
        return [DeliveryReport(message_id, form.get('phoneNumber'), state, status, delivery_error or None,
                               reason or (status if state == 'failed' else None),
                               network_code=form.get('networkCode'))]

    def _ddcpts_africastalking_incoming_messages(self, callback):
        form = callback._ddcpts_payload()
        if callback.route.endswith('/optout'):
            if not form.get('phoneNumber'):
                raise CallbackInputError(_("An opt-out needs a phoneNumber."))
            return [IncomingMessage(None, form['phoneNumber'].strip(), form.get('senderId'), opt_out=True)]
        if not form.get('from') or 'text' not in form:
            raise CallbackInputError(_("An incoming message needs from and text."))
        return [IncomingMessage(form.get('id') or None, form['from'].strip(), form.get('to'), form['text'],
                                form.get('linkId'), form.get('networkCode'), form.get('date'))]
