from odoo import http

from odoo.addons.ddcpts_base.controllers.callback import callback_route

GATEWAY = 'ddcpts.sms.gateway'
DELIVERY = 'ddcpts.sms.message._ddcpts_process_delivery'
INCOMING = 'ddcpts.sms.incoming._ddcpts_process_incoming'
ROUTE = '/ddcpts/sms/%s/<int:record_id>/<string:token>/%s'
TWILIO_HEADERS = ('X-Twilio-Signature', 'Host', 'X-Forwarded-Host', 'X-Forwarded-Proto')


class SmsGatewayController(http.Controller):
    """Delivery reports, incoming messages and opt-outs of the SMS gateways: verified by
    ``callback_route`` (URL token), stored raw, processed by the models; providers get a plain 200."""

    @callback_route(ROUTE % ('africastalking', 'delivery'), provider_model=GATEWAY, processor=DELIVERY,
                    content_type='form')
    def africastalking_delivery(self, result):
        return 'OK'

    @callback_route(ROUTE % ('africastalking', 'incoming'), provider_model=GATEWAY, processor=INCOMING,
                    content_type='form')
    def africastalking_incoming(self, result):
        return 'OK'

    @callback_route(ROUTE % ('africastalking', 'optout'), provider_model=GATEWAY, processor=INCOMING,
                    content_type='form')
    def africastalking_optout(self, result):
        return 'OK'

    @callback_route(ROUTE % ('twilio', 'delivery'), provider_model=GATEWAY, processor=DELIVERY, content_type='form',
                    kept_headers=TWILIO_HEADERS)
    def twilio_delivery(self, result):
        return 'OK'

    @callback_route(ROUTE % ('infobip', 'delivery'), provider_model=GATEWAY, processor=DELIVERY)
    def infobip_delivery(self, result):
        return 'OK'

    @callback_route(ROUTE % ('mtn', 'delivery'), provider_model=GATEWAY, processor=DELIVERY, content_type='raw')
    def mtn_delivery(self, result):
        return 'OK'

    @callback_route(ROUTE % ('mtn', 'incoming'), provider_model=GATEWAY, processor=INCOMING, content_type='raw')
    def mtn_incoming(self, result):
        return 'OK'
