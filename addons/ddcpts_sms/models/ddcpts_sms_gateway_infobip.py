from collections import defaultdict, deque

from odoo import _, models

from odoo.addons.ddcpts_base.tools import schema
from odoo.addons.ddcpts_sms import const
from odoo.addons.ddcpts_sms.tools.outcomes import DeliveryReport, accepted, as_int, refused


def _digits(number):
    return ''.join(char for char in str(number or '') if char.isdigit())

COUNT = schema.Integer(minimum=0, maximum=1000, required=False)
INFOBIP_DELIVERY_REPORT = schema.Object({'results': schema.List(schema.Object({
    'messageId': schema.String(max_length=100, accept_numbers=True),
    'to': schema.String(max_length=32, accept_numbers=True, required=False),
    'status': schema.Object({
        'groupName': schema.String(max_length=50, required=False),
        'name': schema.String(max_length=100, required=False),
    }),
    'error': schema.Object({'name': schema.String(max_length=100, required=False)}, required=False),
    'price': schema.Object({
        'pricePerMessage': schema.Amount(decimals=8, maximum=1000, required=False),
        'currency': schema.String(max_length=3, pattern=r'[A-Za-z]{3}', required=False),
    }, required=False),
    'messageCount': COUNT,
    'smsCount': COUNT,
}))})


class DdcptsSmsGateway(models.Model):
    """Infobip SMS API v3: one request per text with many destinations, JSON delivery reports."""
    _inherit = 'ddcpts.sms.gateway'

    def _ddcpts_infobip_headers(self):
        _username, api_key = self._ddcpts_credentials(need_username=False)
        return {'Authorization': f'App {api_key}', 'Accept': 'application/json'}

    def _ddcpts_infobip_send(self, body, numbers, related=None):
        message = {
            'destinations': [{'to': _digits(number)} for number in numbers],
            'content': {'text': body},
            'webhooks': {'delivery': {'url': self._ddcpts_event_url('delivery')}},
        }
        if self.sender_id:
            message['sender'] = self.sender_id
        response = self._ddcpts_request(
            'POST', f'{self._ddcpts_api_root()}/sms/3/messages', endpoint='sms_send', json={'messages': [message]},
            headers=self._ddcpts_infobip_headers(), timeout=self.timeout, related=related,
        )
        self._ddcpts_raise_if_unavailable(response)
        try:
            answers = response.json()['messages']
        except (ValueError, KeyError, TypeError):
            return [refused('sms_server', _("Unreadable answer from Infobip: %s", response.text[:200]))
                    for _number in numbers]
        by_destination = defaultdict(deque)
        for item in answers if isinstance(answers, list) else []:
            if isinstance(item, dict):
                by_destination[_digits(item.get('destination') or item.get('to'))].append(item)
        return [self._ddcpts_infobip_outcome(by_destination[_digits(number)].popleft())
                if by_destination[_digits(number)] else refused('unknown', _("Missing from the answer of Infobip."))
                for number in numbers]

    def _ddcpts_infobip_outcome(self, item):
        status = item.get('status') or {}
        group, name = status.get('groupName'), status.get('name') or status.get('groupName') or ''
        if const.INFOBIP_SEND_GROUPS.get(group) == 'accepted':
            return accepted(item.get('messageId'), parts=as_int((item.get('details') or {}).get('messageCount')),
                            provider_status=name)
        if name in const.INFOBIP_NUMBER_REJECTIONS:
            return refused(const.INFOBIP_NUMBER_REJECTIONS[name], name, provider_status=name)
        if name == 'REJECTED_NOT_ENOUGH_CREDITS':
            return refused('sms_credit', name, retry_elsewhere=True, provider_status=name)
        return refused('unknown', status.get('description') or name, provider_status=name)

    def _ddcpts_infobip_balance(self):
        response = self._ddcpts_request('GET', f'{self._ddcpts_api_root()}/account/1/balance', endpoint='balance',
                                        headers=self._ddcpts_infobip_headers(), timeout=self.timeout)
        self._ddcpts_raise_if_unavailable(response)
        data = response.json()
        return f"{data.get('currency', '')} {data.get('balance', '')}".strip()

    # ------------------------------------------------------------------
    # Callbacks (JSON, unsigned: the URL token authenticates them)
    # ------------------------------------------------------------------

    def _ddcpts_infobip_delivery_reports(self, callback):
        raw = callback._ddcpts_payload()
        results = INFOBIP_DELIVERY_REPORT.validate(raw)['results']
        reports = []
        for item, raw_item in zip(results, raw['results']):
            status, error, price = item['status'], item['error'] or {}, item['price'] or {}
            group = status['groupName']
            state = const.INFOBIP_DELIVERY_STATES.get(group)
            error_name = error.get('name') if error.get('name') != 'NO_ERROR' else None
            parts = item['messageCount'] if item['messageCount'] is not None else item['smsCount']
            unit_price = price.get('pricePerMessage')
            cost = float(unit_price) * (parts or 1) if unit_price is not None else None
            reports.append(DeliveryReport(
                item['messageId'], item['to'], state, status['name'] or group,
                const.INFOBIP_DELIVERY_ERRORS.get(group) if state == 'failed' else None,
                error_name or (status['name'] if state == 'failed' else None),
                cost, (price.get('currency') or '').upper() or None, parts, raw=raw_item,
            ))
        return reports

    def _ddcpts_infobip_delivery_body(self, items):
        return {'results': items}
