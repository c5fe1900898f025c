from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import request

from odoo.addons.payment import utils as payment_utils


class MpesaCheckoutController(http.Controller):

    @http.route('/payment/mpesa/stk_push', type='json', auth='public')
    def mpesa_stk_push(self, reference, access_token, phone):
        """Send the STK push of a checkout transaction to the number the customer confirmed.

        The status page then polls the transaction until the callback (or the status query) ends it.
        """
        tx_sudo = request.env['payment.transaction'].sudo().search(
            [('reference', '=', reference), ('provider_code', '=', 'mpesa')], limit=1,
        )
        if not tx_sudo or not payment_utils.check_access_token(access_token, reference, tx_sudo.partner_id.id):
            raise Forbidden()
        tx_sudo._mpesa_send_stk_push(phone)
        return {'state': tx_sudo.state}
