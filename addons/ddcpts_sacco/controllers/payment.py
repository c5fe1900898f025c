from odoo import _, http
from odoo.exceptions import ValidationError
from odoo.http import request

from odoo.addons.payment import utils as payment_utils
from odoo.addons.payment.controllers import portal as payment_portal


class SaccoPaymentPortal(payment_portal.PaymentPortal):
    """Members pay into their own accounts from the portal with any enabled payment provider.

    The page renders Odoo's payment form; the transaction it creates carries the member account as
    ``ddcpts_origin``, so whichever provider confirms the money (an M-Pesa STK push, a MoMo Request to
    Pay…), the post-processing credits that account. No provider code is imported here.
    """

    @staticmethod
    def _sacco_own_account(account_id):
        """The logged-in member's open account ``account_id`` (empty for anyone else's, or a closed one)."""
        return request.env['ddcpts.sacco.account'].search([
            ('id', '=', account_id), ('partner_id', '=', request.env.user.partner_id.id),
            ('member_id.state', 'in', ('applicant', 'active', 'dormant')),
        ], limit=1)

    @http.route('/my/sacco/deposit/<int:account_id>', type='http', auth='user', methods=['GET'], website=True)
    def portal_my_sacco_deposit(self, account_id, amount=None, **kwargs):
        """Choose the amount, then pay it with one of the providers enabled for the SACCO's company."""
        account = self._sacco_own_account(account_id)
        if not account:
            return request.redirect('/my/sacco')
        currency = account.currency_id
        amount = self._cast_as_float(amount)
        amount = currency.round(amount) if amount and amount > 0 else 0.0
        values = self._prepare_portal_layout_values()
        values.update(page_name='sacco_deposit', account=account, amount=amount, currency=currency)
        if amount:
            values.update(self._sacco_payment_form_values(
                account, amount, f'/my/sacco/deposit/{account.id}/transaction'))
        return request.render('ddcpts_sacco.portal_my_sacco_deposit', values)

    def _sacco_payment_form_values(self, record, amount, transaction_route, landing_route='/my/sacco'):
        """What ``payment.form`` needs to pay ``amount`` for ``record`` (an account, a loan…): the providers of
        its company, its name as the reference prefix and the route that creates the transaction."""
        partner = request.env.user.partner_id
        company = record.company_id
        currency = record.currency_id
        availability_report = {}
        providers_sudo = request.env['payment.provider'].sudo()._get_compatible_providers(
            company.id, partner.id, amount, currency_id=currency.id, report=availability_report)
        payment_methods_sudo = request.env['payment.method'].sudo()._get_compatible_payment_methods(
            providers_sudo.ids, partner.id, currency_id=currency.id, report=availability_report)
        return {
            'company_mismatch': not self._can_partner_pay_in_company(partner, company),
            'expected_company': company,
            'show_tokenize_input_mapping': self._compute_show_tokenize_input_mapping(providers_sudo),
            'reference_prefix': record.name,
            'partner_id': partner.id,
            'providers_sudo': providers_sudo,
            'payment_methods_sudo': payment_methods_sudo,
            'tokens_sudo': request.env['payment.token'].sudo()._get_available_tokens(providers_sudo.ids, partner.id),
            'availability_report': availability_report,
            'transaction_route': transaction_route,
            'landing_route': landing_route,
            'access_token': payment_utils.generate_access_token(partner.id, amount, currency.id),
        }

    @http.route('/my/sacco/deposit/<int:account_id>/transaction', type='json', auth='user')
    def portal_my_sacco_deposit_transaction(self, account_id, amount, access_token, **kwargs):
        """Create the transaction of a deposit into the member's own account; return its processing values."""
        account = self._sacco_own_account(account_id)
        if not account:
            raise ValidationError(_("You can only pay into your own open SACCO accounts."))
        return self._sacco_create_transaction(account, amount, access_token, **kwargs)

    def _sacco_create_transaction(self, record, amount, access_token, **kwargs):
        """Create the transaction paying ``amount`` for ``record`` (its ``ddcpts_origin``, its name as the
        reference); whoever confirms it, the origin's post-processing books the money. Return its processing
        values."""
        partner = request.env.user.partner_id
        amount = self._cast_as_float(amount)
        if not amount or amount <= 0 or not payment_utils.check_access_token(
                access_token, partner.id, amount, record.currency_id.id):
            raise ValidationError(_("The access token is invalid."))
        self._validate_transaction_kwargs(kwargs)
        tx_sudo = self._create_transaction(
            amount=amount, currency_id=record.currency_id.id, partner_id=partner.id, reference_prefix=record.name,
            custom_create_values={'ddcpts_origin': f'{record._name},{record.id}'}, **kwargs,
        )
        if tx_sudo.company_id != record.company_id:
            raise ValidationError(_("Pay %s with a payment method of the SACCO.", record.name))
        self._update_landing_route(tx_sudo, access_token)
        return tx_sudo._get_processing_values()
