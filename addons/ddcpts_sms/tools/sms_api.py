"""SMS marketing's "Test" wizard hands ``sms.sms`` rows to IAP's client itself
(``SmsApi._send_sms_batch``) instead of calling ``send()``: the one path to IAP that no model
override reaches. ``SmsApi`` is a plain class shared by every database of the process, so the
override is installed when a registry with ddcpts_sms is loaded (``sms.sms._register_hook``), once
per process, and hands over to IAP's own method in the databases where ddcpts_sms is not installed."""
from odoo.addons.sms.tools.sms_api import SmsApi

_iap_send_sms_batch = SmsApi._send_sms_batch


def _send_sms_batch(self, messages, delivery_reports_url=False):
    """The rows are sent through the gateways of the current company and the answer is given in
    IAP's format. Not for the SMS ``_send()`` left to IAP (``ddcpts_sms_iap`` context), nor in
    databases without this module."""
    env = self.env
    uuids = {number['uuid'] for message in messages for number in message['numbers']}
    if 'ddcpts_sms' not in env.registry._init_modules or env.context.get('ddcpts_sms_iap') or not uuids:
        return _iap_send_sms_batch(self, messages, delivery_reports_url=delivery_reports_url)
    gateways = env['ddcpts.sms.gateway']._ddcpts_gateways_for(env.company)
    sms = env['sms.sms'].sudo().search([('uuid', 'in', list(uuids))])
    if not gateways or len(sms) != len(uuids):
        return _iap_send_sms_batch(self, messages, delivery_reports_url=delivery_reports_url)
    sms._ddcpts_send_through(gateways, env.company)
    iap_states = {failure_type: state for state, failure_type in sms.IAP_TO_SMS_FAILURE_TYPE.items()}
    return [{
        'uuid': record.uuid, 'res_id': record.number,
        'state': 'success' if record.state == 'pending' else iap_states.get(record.failure_type, record.failure_type),
    } for record in sms]


def install():
    """Route ``SmsApi._send_sms_batch`` through :func:`_send_sms_batch` (once per process)."""
    SmsApi._send_sms_batch = _send_sms_batch
