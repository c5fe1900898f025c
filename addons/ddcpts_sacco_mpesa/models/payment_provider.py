import json

from odoo import api, models

from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tools import daraja

C2B_CONFIRMATION_PROCESSOR = 'payment.transaction._mpesa_process_c2b_confirmation'


class PaymentProvider(models.Model):
    _inherit = 'payment.provider'

    @api.model
    def _sacco_mpesa_demo_paybill(self, provider_id, payments):
        """Book demo contributions as paybill payments really arrive: each is a Daraja C2B confirmation
        body (the shape the simulator and Safaricom send), stored as a ``ddcpts.callback`` of the
        confirmation route and run by that route's processor; the done transactions are then
        post-processed as the payment cron does, which credits the member accounts.

        :param int provider_id: the M-Pesa provider whose paybill was paid
        :param list payments: ``(member id, product code, amount, M-Pesa receipt)``; the member paid from their
            phone, shown masked as C2B v2 shows it
        :return: the transactions
        """
        provider = self.browse(provider_id)
        callbacks = self.env['ddcpts.callback']
        for member_id, code, amount, receipt in payments:
            member = self.env['ddcpts.sacco.member'].browse(member_id)
            phone = member.phone
            body = {
                'TransactionType': "Pay Bill", 'TransID': receipt,
                'TransTime': daraja.timestamp_now(), 'TransAmount': f'{amount:.2f}',
                'BusinessShortCode': provider.mpesa_shortcode, 'BillRefNumber': f'{member.number}-{code}',
                'InvoiceNumber': '', 'OrgAccountBalance': '', 'ThirdPartyTransID': '',
                'MSISDN': f'{phone[:4]} ***** {phone[-3:]}', 'FirstName': member.name.split()[0].upper(),
                'MiddleName': '', 'LastName': '',
            }
            callbacks |= callbacks.create({
                'provider': provider._ddcpts_provider_code(), 'company_id': provider._ddcpts_company().id,
                'route': f'{const.CALLBACK_PREFIX}/{provider.id}/***/c2b-confirmation', 'method': 'POST',
                'content_type': 'json', 'body': json.dumps(body),
                'provider_model': self._name, 'provider_res_id': provider.id,
                'processor': C2B_CONFIRMATION_PROCESSOR,
            })
        transactions = self.env['payment.transaction']
        for callback in callbacks:
            state, result = callback._ddcpts_process()
            if state == 'failed':
                raise result
            transactions |= result
        transactions._post_process()
        return transactions
