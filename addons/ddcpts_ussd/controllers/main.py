from odoo import http
from odoo.http import request

from odoo.addons.ddcpts_base.controllers.callback import callback_route

ROUTE = '/ddcpts/ussd/<int:record_id>/<string:token>'
PROCESSOR = 'ddcpts.ussd.session._ddcpts_process_request'


class UssdController(http.Controller):
    """The one callback URL of a USSD service: Africa's Talking forms and MTN JSON alike (the shape is
    detected), verified and stored by ``callback_route``, answered with the next screen."""

    @callback_route(ROUTE, provider_model='ddcpts.ussd.service', processor=PROCESSOR, content_type='auto',
                    max_body_bytes=16 * 1024)
    def ussd_request(self, result):
        if result['kind'] == 'mtn_madapi' and result.get('outbound'):
            # MADAPI reads the screen from its API, sent once the step is committed
            request.env['ddcpts.ussd.service'].sudo().browse(result['service_id'])._ddcpts_madapi_send(
                result['outbound'], result['session_id'])
        return result['reply']
