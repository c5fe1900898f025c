from odoo import _, models

from odoo.addons.ddcpts_base.exceptions import CallbackInputError
from odoo.addons.ddcpts_base.tools import schema
from odoo.addons.ddcpts_sms import const
from odoo.addons.ddcpts_sms.exceptions import GatewayUnavailable
from odoo.addons.ddcpts_sms.tools.outcomes import DeliveryReport, accepted, as_int, parse_cost, refused
from odoo.addons.ddcpts_sms.tools.twilio_signature import is_valid_twilio_signature

API_VERSION = '2010-04-01'

OPTIONAL = {'required': False, 'min_length': 0}
TWILIO_STATUS_CALLBACK = schema.Object({
    'MessageSid': schema.String(max_length=64, pattern=r'[A-Za-z0-9]+'),
    'MessageStatus': schema.String(max_length=30, **OPTIONAL),
    'SmsStatus': schema.String(max_length=30, **OPTIONAL),
    'ErrorCode': schema.String(max_length=10, pattern=r'\d*', **OPTIONAL),
    'To': schema.String(max_length=64, **OPTIONAL),
})


class DdcptsSmsGateway(models.Model):
    """Twilio Programmable Messaging: one message per request, status callbacks signed by Twilio."""
    _inherit = 'ddcpts.sms.gateway'

    def _ddcpts_twilio_url(self, path):
        return f'{self._ddcpts_api_root()}/{API_VERSION}/Accounts/{self.username}/{path}'

    def _ddcpts_twilio_send(self, body, numbers, related=None):
        account_sid, auth_token = self._ddcpts_credentials()
        sender = self.sender_id or ''
        outcomes = []
        for number in numbers:
            data = {'To': number, 'Body': body, 'StatusCallback': self._ddcpts_event_url('delivery')}
            data['MessagingServiceSid' if sender.startswith('MG') else 'From'] = sender
            response = self._ddcpts_request(
                'POST', self._ddcpts_twilio_url('Messages.json'), endpoint='sms_send', data=data,
                auth=(account_sid, auth_token), timeout=self.timeout, related=related,
            )
            outcomes.append(self._ddcpts_twilio_outcome(response))
        return outcomes

    def _ddcpts_twilio_outcome(self, response):
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code == 400 and as_int(data.get('code')) in const.TWILIO_NUMBER_ERRORS:
            code = as_int(data['code'])
            return refused(const.TWILIO_NUMBER_ERRORS[code], f"{data.get('message') or ''} ({code})".strip(),
                           provider_status=str(code))
        if response.status_code == 400:
            # an error of the account or the sender (21212 invalid From...): the next gateway may send it
            raise GatewayUnavailable(_("Twilio refused the request: %s", data.get('message') or response.text[:200]))
        self._ddcpts_raise_if_unavailable(response)
        _currency, cost = parse_cost(data.get('price'))
        return accepted(data.get('sid'), parts=as_int(data.get('num_segments')), cost=cost,
                        currency=(data.get('price_unit') or '').upper() or None, provider_status=data.get('status'))

    def _ddcpts_twilio_balance(self):
        account_sid, auth_token = self._ddcpts_credentials()
        response = self._ddcpts_request('GET', self._ddcpts_twilio_url('Balance.json'), endpoint='balance',
                                        auth=(account_sid, auth_token), timeout=self.timeout)
        self._ddcpts_raise_if_unavailable(response)
        data = response.json()
        return f"{data.get('currency', '')} {data.get('balance', '')}".strip()

    # ------------------------------------------------------------------
    # Callbacks
    # ------------------------------------------------------------------

    def _ddcpts_twilio_delivery_reports(self, callback):
        params = callback._ddcpts_payload()  # every posted parameter is signed
        report = TWILIO_STATUS_CALLBACK.validate(params)
        self._ddcpts_twilio_verify(callback, params)
        message_id, status = report['MessageSid'], report['MessageStatus'] or report['SmsStatus']
        if not status:
            raise CallbackInputError(_("A Twilio status callback needs MessageSid and MessageStatus."))
        state = const.TWILIO_DELIVERY_STATES.get(status)
        error_code = report['ErrorCode'] or None
        delivery_error = const.TWILIO_DELIVERY_ERRORS.get(error_code, 'not_delivered') if state == 'failed' else None
        return [DeliveryReport(message_id, report['To'] or None, state, status, delivery_error,
                               f'{status} ({error_code})' if error_code else (status if state == 'failed' else None))]

    def _ddcpts_twilio_verify(self, callback, params):
        """Check ``X-Twilio-Signature`` against the URL Odoo gave Twilio, or the URL the request reached
        (a proxy may present another host or scheme than the configured public URL)."""
        headers = callback._ddcpts_headers()
        path = callback.route.replace('***', self._ddcpts_get_callback_token())
        host = headers.get('X-Forwarded-Host') or headers.get('Host')
        urls = [self._ddcpts_event_url('delivery')]
        if host:
            schemes = [headers['X-Forwarded-Proto']] if headers.get('X-Forwarded-Proto') else ['https', 'http']
            urls += [f'{scheme}://{host}{path}' for scheme in schemes]
        _account_sid, auth_token = self._ddcpts_credentials()
        if not is_valid_twilio_signature(auth_token, urls, params, headers.get('X-Twilio-Signature')):
            raise CallbackInputError(_("Invalid X-Twilio-Signature."), status=403)
