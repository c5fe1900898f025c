from collections import defaultdict, deque

from odoo import _, models

from odoo.addons.ddcpts_base.tools import schema
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

# Callback forms (Africa's Talking posts application/x-www-form-urlencoded). Optional fields may come
# empty ("failureReason="): empty counts as absent.
OPTIONAL = {'required': False, 'min_length': 0}
PHONE_NUMBER = schema.String(max_length=32, pattern=r'\+?[0-9 ]{3,31}')
AT_DELIVERY_REPORT = schema.Object({
    'id': schema.String(max_length=100),
    'status': schema.String(max_length=50),
    'phoneNumber': schema.String(max_length=32, **OPTIONAL),
    'networkCode': schema.String(max_length=10, **OPTIONAL),
    'failureReason': schema.String(max_length=100, **OPTIONAL),
    'retryCount': schema.Integer(minimum=0, maximum=1000, required=False),
})
AT_INCOMING_MESSAGE = schema.Object({
    'id': schema.String(max_length=100, **OPTIONAL),
    'from': PHONE_NUMBER,
    'to': schema.String(max_length=32, **OPTIONAL),
    'text': schema.String(max_length=2000, min_length=0, multiline=True, strip=False),
    'linkId': schema.String(max_length=100, **OPTIONAL),
    'networkCode': schema.String(max_length=10, **OPTIONAL),
    'date': schema.String(max_length=40, **OPTIONAL),
})
AT_OPT_OUT = schema.Object({
    'phoneNumber': PHONE_NUMBER,
    'senderId': schema.String(max_length=32, **OPTIONAL),
})


class DdcptsSmsGateway(models.Model):
    """Africa's Talking through its official SDK (``tools/africastalking_sdk.py``)."""
    _inherit = 'ddcpts.sms.gateway'

    def _ddcpts_africastalking_service(self, service_class, endpoint, related=None):
        username, api_key = self._ddcpts_credentials()
        return service_class(self, username, api_key, api_root=self.api_url, timeout=self.timeout,
                             endpoint=endpoint, related=related)

    def _ddcpts_africastalking_send(self, body, numbers, related=None):
        """One bulk request (``to`` comma-joined); per-number statuses come back inside HTTP 2xx."""
        valid = [number for number in numbers if validate_phone(number)]
        entries = defaultdict(deque)
        if valid:
            service = self._ddcpts_africastalking_service(GatewaySMSService, 'sms_send', related)
            response = service.send(body, valid, sender_id=self.sender_id or None, enqueue=self.africastalking_enqueue)
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
                outcomes.append(self._ddcpts_africastalking_outcome(entries[number].popleft()))
            else:
                outcomes.append(refused('unknown', _("Missing from the answer of Africa's Talking.")))
        return outcomes

    def _ddcpts_africastalking_outcome(self, item):
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
        response = self._ddcpts_africastalking_service(GatewayApplicationService, 'balance').fetch_application_data()
        self._ddcpts_raise_if_unavailable(response)
        try:
            return response.json()['UserData']['balance']
        except (ValueError, KeyError, TypeError) as error:
            raise GatewayUnavailable(_("Unreadable balance from Africa's Talking: %s", response.text[:200])) from error

    # ------------------------------------------------------------------
    # Callbacks (form posts; the URLs are set in the Africa's Talking dashboard)
    # ------------------------------------------------------------------

    def _ddcpts_africastalking_delivery_reports(self, callback):
        form = callback._ddcpts_payload(AT_DELIVERY_REPORT)
        state = const.AT_DELIVERY_STATES.get(form['status'])
        reason = form['failureReason'] or False
        delivery_error = state == 'failed' and (
            const.AT_FAILURE_REASONS.get(reason) or const.AT_FAILED_STATUS_ERRORS.get(form['status'], 'not_delivered')
        )
        return [DeliveryReport(form['id'], form['phoneNumber'] or None, state, form['status'], delivery_error or None,
                               reason or (form['status'] if state == 'failed' else None),
                               network_code=form['networkCode'] or None)]

    def _ddcpts_africastalking_incoming_messages(self, callback):
        if callback.route.endswith('/optout'):
            form = callback._ddcpts_payload(AT_OPT_OUT)
            return [IncomingMessage(None, form['phoneNumber'], form['senderId'] or None, opt_out=True)]
        form = callback._ddcpts_payload(AT_INCOMING_MESSAGE)
        optional = {name: form[name] or None for name in ('id', 'to', 'linkId', 'networkCode', 'date')}
        return [IncomingMessage(optional['id'], form['from'], optional['to'], form['text'], optional['linkId'],
                                optional['networkCode'], optional['date'])]
