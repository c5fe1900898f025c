from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import request

from odoo.addons.ddcpts_base.controllers.callback import callback_route
from odoo.addons.ddcpts_momo import const
from odoo.addons.payment import utils as payment_utils

ROUTE = const.CALLBACK_PREFIX + '/<int:record_id>/<string:token>/'


class MomoController(http.Controller):
    """MTN's callbacks (unsigned, sent once, PUT or POST): the decorator checks the URL token and stores the
    raw body; the processors only use it to know which request to query."""

    @callback_route(ROUTE + 'collection/<string:reference_id>', provider_model='payment.provider',
                    processor='payment.transaction._momo_process_collection_callback', methods=('POST', 'PUT'))
    def momo_collection_callback(self, result):
        return {'status': 'received'}

    @callback_route(ROUTE + 'disbursement/<string:reference_id>', provider_model='payment.provider',
                    processor='ddcpts.payout._momo_process_disbursement_callback', methods=('POST', 'PUT'))
    def momo_disbursement_callback(self, result):
        return {'status': 'received'}

    @http.route('/payment/momo/request_to_pay', type='json', auth='public')
    def momo_request_to_pay(self, reference, access_token, phone):
        """Send the Request to Pay of a checkout transaction to the number the customer confirmed.

        The status page then follows the transaction until the callback or the status poll settles it.
        """
        tx_sudo = request.env['payment.transaction'].sudo().search(
            [('reference', '=', reference), ('provider_code', '=', 'momo')], limit=1,
        )
        if not tx_sudo or not payment_utils.check_access_token(access_token, reference, tx_sudo.partner_id.id):
            raise Forbidden()
        tx_sudo._momo_request_to_pay(phone)
        return {'state': tx_sudo.state}
