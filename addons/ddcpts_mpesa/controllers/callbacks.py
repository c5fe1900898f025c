from odoo import http

from odoo.addons.ddcpts_base.controllers.callback import callback_route
from odoo.addons.ddcpts_mpesa import const

ROUTE = const.CALLBACK_PREFIX + '/<int:record_id>/<string:token>/'
PROVIDER = 'payment.provider'


class DarajaController(http.Controller):
    """Daraja's callbacks: the decorator checks the token, stores the raw body and runs the processor.

    Event names avoid the words Safaricom refuses in C2B URLs (mpesa, query, exec, cmd, sql…).
    """

    @callback_route(ROUTE + 'stk', provider_model=PROVIDER,
                    processor='payment.transaction._mpesa_process_stk_callback')
    def daraja_stk_callback(self, result):
        return const.CALLBACK_ACK

    @callback_route(ROUTE + 'c2b-validation', provider_model=PROVIDER,
                    processor='payment.transaction._mpesa_process_c2b_validation')
    def daraja_c2b_validation(self, result):
        return result  # accept, or reject with a C2B000xx code

    @callback_route(ROUTE + 'c2b-confirmation', provider_model=PROVIDER,
                    processor='payment.transaction._mpesa_process_c2b_confirmation')
    def daraja_c2b_confirmation(self, result):
        return const.C2B_CONFIRMATION_ACK

    @callback_route(ROUTE + 'b2c-result', provider_model=PROVIDER,
                    processor='ddcpts.payout._mpesa_process_b2c_result')
    def daraja_b2c_result(self, result):
        return const.CALLBACK_ACK

    @callback_route(ROUTE + 'b2c-timeout', provider_model=PROVIDER,
                    processor='ddcpts.payout._mpesa_process_b2c_timeout')
    def daraja_b2c_timeout(self, result):
        return const.CALLBACK_ACK

    @callback_route(ROUTE + 'status-result', provider_model=PROVIDER,
                    processor='ddcpts.mpesa.request._mpesa_process_status_result')
    def daraja_status_result(self, result):
        return const.CALLBACK_ACK

    @callback_route(ROUTE + 'balance-result', provider_model=PROVIDER,
                    processor='ddcpts.mpesa.request._mpesa_process_balance_result')
    def daraja_balance_result(self, result):
        return const.CALLBACK_ACK

    @callback_route(ROUTE + 'reversal-result', provider_model=PROVIDER,
                    processor='ddcpts.mpesa.request._mpesa_process_reversal_result')
    def daraja_reversal_result(self, result):
        return const.CALLBACK_ACK

    @callback_route(ROUTE + '<any(status,balance,reversal):kind>-timeout', provider_model=PROVIDER,
                    processor='ddcpts.mpesa.request._mpesa_process_timeout')
    def daraja_request_timeout(self, result):
        return const.CALLBACK_ACK
