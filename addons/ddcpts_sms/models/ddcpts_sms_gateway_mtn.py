import json
import uuid

from odoo import _, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.exceptions import CallbackInputError
from odoo.addons.ddcpts_base.tools import schema
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_sms import const
from odoo.addons.ddcpts_sms.exceptions import GatewayUnavailable
from odoo.addons.ddcpts_sms.tools.outcomes import DeliveryReport, IncomingMessage, accepted

SUCCESS_CODES = frozenset({None, '', '0000', '0', '00'})


def _first(data, keys):
    return next((data[key] for key in keys if data.get(key) not in (None, '')), None)


def _records(payload, depth=0):
    """Every JSON object of a receipt that carries a status (the body may wrap them in lists or objects),
    checked against ``MTN_RECORD``."""
    if depth > MAX_DEPTH:
        raise schema.SchemaError("body", "is nested too deeply")
    if isinstance(payload, list):
        return [record for item in payload for record in _records(item, depth + 1)]
    if not isinstance(payload, dict):
        return []
    if _first(payload, const.MTN_STATUS_KEYS) is not None or _first(payload, ('message', 'text')) is not None:
        return [MTN_RECORD.validate(payload)]
    return [record for value in payload.values() if isinstance(value, (dict, list))
            for record in _records(value, depth + 1)]


MAX_DEPTH = 8
# MTN does not document its receipts: the keys seen in the wild, each checked where present
_REFERENCE = schema.String(max_length=100, accept_numbers=True, required=False)
_ADDRESS = schema.String(max_length=64, accept_numbers=True, required=False)
MTN_RECORD = schema.Object({
    **dict.fromkeys(const.MTN_ID_KEYS + ('messageId', 'id', 'transactionId'), _REFERENCE),
    **dict.fromkeys(const.MTN_STATUS_KEYS, schema.String(max_length=50, required=False)),
    **dict.fromkeys(const.MTN_NUMBER_KEYS + ('senderAddress', 'from', 'serviceCode'), _ADDRESS),
    **dict.fromkeys(('message', 'text'), schema.String(max_length=2000, min_length=0, multiline=True,
                                                       strip=False, required=False)),
})


class DdcptsSmsGateway(models.Model):
    """MTN SMS V3 (MADAPI): OAuth client credentials, ~20-30 receivers per request, callbacks
    registered through the subscription API. Its delivery receipt is not documented: stored raw and
    applied only when its status is unambiguous."""
    _inherit = 'ddcpts.sms.gateway'

    def _ddcpts_mtn_token(self):
        client_id, client_secret = self._ddcpts_credentials()

        def fetch():
            response = self._ddcpts_request(
                'POST', f'{self._ddcpts_api_root()}/v1/oauth/access_token', endpoint='token',
                params={'grant_type': 'client_credentials'},
                data={'client_id': client_id, 'client_secret': client_secret},
                timeout=self.timeout, idempotent=True, secret_values=(client_secret,),
            )
            self._ddcpts_raise_if_unavailable(response)
            data = response.json()
            return data['access_token'], data.get('expires_in') or 3600
        return self._ddcpts_bearer_token(fetch)

    def _ddcpts_mtn_post(self, path, payload, endpoint, related=None):
        token = self._ddcpts_mtn_token()
        response = self._ddcpts_request(
            'POST', f'{self._ddcpts_api_root()}{path}', endpoint=endpoint, json=payload, timeout=self.timeout,
            headers={'Authorization': f'Bearer {token}'}, related=related,
        )
        if response.status_code == 401:
            self._ddcpts_invalidate_token(rejected_token=token)
        self._ddcpts_raise_if_unavailable(response)
        return response

    def _ddcpts_mtn_send(self, body, numbers, related=None):
        if not self.mtn_service_code:
            raise UserError(_("Set the MTN service code of the SMS gateway %s.", self.display_name))
        correlator = uuid.uuid4().hex
        response = self._ddcpts_mtn_post('/v3/sms/messages/sms/outbound', {
            'clientCorrelatorId': correlator,
            'message': body,
            'receiverAddress': numbers,
            'serviceCode': self.mtn_service_code,
            'senderAddress': self.sender_id or self.mtn_service_code,
            'requestDeliveryReceipt': True,
        }, 'sms_send', related)
        try:
            data = response.json()
        except ValueError:
            data = {}
        status_code = str(data.get('statusCode')) if isinstance(data, dict) and data.get('statusCode') else None
        if status_code not in SUCCESS_CODES:
            raise GatewayUnavailable(_("MTN refused the request: %s", data.get('statusMessage') or status_code))
        return [accepted(correlator, provider_status=status_code) for _number in numbers]

    def _ddcpts_mtn_balance(self):
        """MTN has no balance endpoint: getting a token proves the credentials work."""
        self._ddcpts_invalidate_token()
        self._ddcpts_mtn_token()
        return False

    def action_mtn_subscribe(self):
        """Register this gateway's delivery-report and incoming-message URLs with MTN."""
        self.ensure_one()
        self._ddcpts_mtn_post('/v3/sms/messages/sms/subscription', {
            'serviceCode': self.mtn_service_code,
            'callbackUrl': self._ddcpts_event_url('incoming'),
            'deliveryReportUrl': self._ddcpts_event_url('delivery'),
        }, 'subscription')
        return notification(_("MTN will send delivery reports and incoming messages to Odoo."))

    # ------------------------------------------------------------------
    # Callbacks (raw bodies, expected to be JSON)
    # ------------------------------------------------------------------

    def _ddcpts_mtn_json(self, callback):
        try:
            return json.loads(callback._ddcpts_payload() or '')
        except (ValueError, RecursionError) as error:
            raise CallbackInputError(_("The body is not valid JSON.")) from error

    def _ddcpts_mtn_delivery_reports(self, callback):
        reports = []
        for record in _records(self._ddcpts_mtn_json(callback)):
            status = _first(record, const.MTN_STATUS_KEYS) or ''
            message_id = _first(record, const.MTN_ID_KEYS)
            if not message_id:
                continue
            normalized = status.replace('_', '').replace(' ', '').lower()
            state = 'delivered' if normalized in const.MTN_DELIVERED else 'failed' if normalized in const.MTN_FAILED \
                else None
            reports.append(DeliveryReport(message_id, _first(record, const.MTN_NUMBER_KEYS), state, status,
                                          const.MTN_FAILED.get(normalized), status if state == 'failed' else None,
                                          raw=record))
        return reports

    def _ddcpts_mtn_delivery_body(self, items):
        return items

    def _ddcpts_mtn_incoming_messages(self, callback):
        return [
            IncomingMessage(_first(record, ('messageId', 'id', 'transactionId')),
                            _first(record, ('senderAddress', 'from', 'msisdn')),
                            _first(record, ('receiverAddress', 'serviceCode', 'to')),
                            _first(record, ('message', 'text')) or '')
            for record in _records(self._ddcpts_mtn_json(callback))
            if _first(record, ('senderAddress', 'from', 'msisdn')) and _first(record, ('message', 'text')) is not None
        ]
