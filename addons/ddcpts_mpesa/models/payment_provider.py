import base64
import secrets
from decimal import ROUND_CEILING, Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.ddcpts_base.models.ddcpts_secret_mixin import SecretField
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tools import daraja


class PaymentProvider(models.Model):
    """Safaricom M-Pesa through the Daraja API: one provider record per short code.

    The record holds the credentials (encrypted by ddcpts_base), signs and sends every Daraja call
    through the foundation's HTTP client (token cache, call log, health) and builds the callback
    URLs given to Safaricom (``/ddcpts/daraja/<id>/<token>/<event>``).
    """
    _name = 'payment.provider'
    _inherit = ['payment.provider', 'ddcpts.provider.mixin']

    code = fields.Selection(selection_add=[('mpesa', "M-Pesa")], ondelete={'mpesa': 'set default'})
    mpesa_environment = fields.Selection(
        [('sandbox', "Sandbox"), ('production', "Production"), ('custom', "Custom URL")],
        string="M-Pesa Environment", default='sandbox', required_if_provider='mpesa',
        help="Which Daraja API is called. Custom: a Daraja-compatible server such as the DDCPTS simulator.",
    )
    mpesa_custom_url = fields.Char(
        "Custom API URL", help="Base URL of the Daraja-compatible API, e.g. http://localhost:8070 for the simulator.",
    )
    mpesa_consumer_key = SecretField("Consumer Key", required_if_provider='mpesa')
    mpesa_consumer_secret = SecretField("Consumer Secret", required_if_provider='mpesa')
    mpesa_passkey = SecretField(
        "Passkey", required_if_provider='mpesa', help="Lipa na M-Pesa Online passkey: signs the STK push requests.",
    )
    mpesa_shortcode = fields.Char(
        "Business Short Code", required_if_provider='mpesa',
        help="The paybill number, or for a till the head office (store) number.",
    )
    mpesa_account_type = fields.Selection(
        [('paybill', "Paybill"), ('till', "Till (Buy Goods)")], string="M-Pesa Account Type", default='paybill',
        required_if_provider='mpesa',
    )
    mpesa_till_number = fields.Char("Till Number", help="The till customers pay (Buy Goods).")
    mpesa_initiator_name = fields.Char(
        "Initiator Name", help="API operator of the M-Pesa org portal, for payouts, status, balance and reversals.",
    )
    mpesa_initiator_password = SecretField("Initiator Password")
    mpesa_certificate_sandbox = fields.Binary(
        "Sandbox Certificate", attachment=True,
        help="Safaricom's public certificate of the sandbox (encrypts the initiator password). The custom "
             "environment uses it too.",
    )
    mpesa_certificate_production = fields.Binary("Production Certificate", attachment=True)
    mpesa_b2c_shortcode = fields.Char(
        "Payout Short Code", help="Short code payouts are sent from; empty: the business short code.",
    )
    mpesa_b2c_command = fields.Selection(const.B2C_COMMANDS, "Payout Type", default='BusinessPayment')
    mpesa_cents_policy = fields.Selection(
        [('round_up', "Round up to the next shilling"), ('refuse', "Refuse the payment")],
        string="Amounts with Cents", default='round_up', required_if_provider='mpesa',
        help="M-Pesa only moves whole shillings.",
    )
    mpesa_currency_id = fields.Many2one('res.currency', compute='_compute_mpesa_currency_id')
    mpesa_c2b_response_type = fields.Selection(
        [('Completed', "Complete the payment"), ('Cancelled', "Cancel the payment")],
        string="When Validation Cannot Be Reached", default='Completed',
        help="What M-Pesa does with a paybill payment when this Odoo does not answer its validation request.",
    )
    mpesa_c2b_validation = fields.Boolean(
        "Validate Paybill Payments",
        help="Check each paybill payment before M-Pesa accepts it (Safaricom must enable external validation).",
    )
    mpesa_c2b_require_known_reference = fields.Boolean(
        "Refuse Unknown Account Numbers",
        help="With validation: refuse payments whose account number matches no invoice, customer or document.",
    )
    mpesa_c2b_min_amount = fields.Monetary("Minimum Paybill Amount", currency_field='mpesa_currency_id', default=1)
    mpesa_c2b_max_amount = fields.Monetary(
        "Maximum Paybill Amount", currency_field='mpesa_currency_id', default=const.STK_MAX_AMOUNT,
    )
    mpesa_c2b_registered_at = fields.Datetime("Paybill URLs Registered On", readonly=True, copy=False)
    mpesa_fee_account_id = fields.Many2one(
        'account.account', "M-Pesa Charges Account", check_company=True, copy=False,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Expense account of the transaction charges found on imported statements.",
    )
    mpesa_balance_ids = fields.One2many('ddcpts.mpesa.balance', 'provider_id', "M-Pesa Balances", readonly=True)
    mpesa_balance_checked_at = fields.Datetime("Balance Received On", readonly=True, copy=False)

    _sql_constraints = [
        ('mpesa_c2b_amounts', 'CHECK(mpesa_c2b_min_amount IS NULL OR mpesa_c2b_min_amount <= mpesa_c2b_max_amount)',
         "The minimum paybill amount cannot be above the maximum."),
    ]

    # ------------------------------------------------------------------
    # Payment framework
    # ------------------------------------------------------------------

    def _compute_mpesa_currency_id(self):
        self.mpesa_currency_id = self.env.ref('base.KES')

    def _compute_feature_support_fields(self):
        """M-Pesa reverses a whole transaction (Reversal API), never part of it."""
        super()._compute_feature_support_fields()
        self.filtered(lambda provider: provider.code == 'mpesa').support_refund = 'full_only'

    def _get_supported_currencies(self):
        supported_currencies = super()._get_supported_currencies()
        if self.code == 'mpesa':
            supported_currencies = supported_currencies.filtered(lambda c: c.name in const.SUPPORTED_CURRENCIES)
        return supported_currencies

    def _get_default_payment_method_codes(self):
        if self.code != 'mpesa':
            return super()._get_default_payment_method_codes()
        return const.DEFAULT_PAYMENT_METHOD_CODES

    @api.constrains('state', 'mpesa_environment', 'mpesa_custom_url', 'mpesa_account_type', 'mpesa_till_number')
    def _check_mpesa_configuration(self):
        for provider in self.filtered(lambda p: p.code == 'mpesa' and p.state != 'disabled'):
            if provider.mpesa_environment == 'custom' and not provider.mpesa_custom_url:
                raise ValidationError(_("Enter the custom API URL of %s.", provider.name))
            if provider.mpesa_account_type == 'till' and not provider.mpesa_till_number:
                raise ValidationError(_("Enter the till number customers pay on %s.", provider.name))

    # ------------------------------------------------------------------
    # ddcpts.provider.mixin
    # ------------------------------------------------------------------

    @api.model
    def _ddcpts_mobile_provider_codes(self):
        return super()._ddcpts_mobile_provider_codes() + ['mpesa']

    def _ddcpts_provider_code(self):
        if self.code == 'mpesa':
            return 'mpesa'
        return super()._ddcpts_provider_code()

    def _ddcpts_callback_urls(self):
        if self.code != 'mpesa':
            return super()._ddcpts_callback_urls()
        return [
            (_("Paybill/till confirmation (set by Register URLs)"), self._mpesa_callback_url('c2b-confirmation')),
            (_("Paybill/till validation (set by Register URLs)"), self._mpesa_callback_url('c2b-validation')),
            (_("STK push results (sent with each request)"), self._mpesa_callback_url('stk')),
            (_("Payout results (sent with each request)"), self._mpesa_callback_url('b2c-result')),
            (_("Payout timeouts (sent with each request)"), self._mpesa_callback_url('b2c-timeout')),
        ]

    def _ddcpts_setup_steps(self):
        if self.code != 'mpesa':
            return super()._ddcpts_setup_steps()
        public_url = self.ddcpts_public_url or self.get_base_url()
        return [
            (_("Daraja consumer key, secret and passkey entered"),
             self.mpesa_consumer_key and self.mpesa_consumer_secret and self.mpesa_passkey),
            (_("Paybill or till number entered"), self.mpesa_shortcode),
            (_("Callbacks reachable over https (Public URL for Callbacks)"),
             public_url.startswith('https://') or self.mpesa_environment == 'custom'),
            (_("Paybill/till URLs registered with Safaricom (Register URLs)"), self.mpesa_c2b_registered_at),
            (_("Payouts: initiator name and password entered"),
             self.mpesa_initiator_name and self.mpesa_initiator_password),
            *super()._ddcpts_setup_steps(),
        ]

    def _ddcpts_health_check(self):
        if self.code != 'mpesa':
            return super()._ddcpts_health_check()
        self._mpesa_fetch_token()

    def _ddcpts_get_callback_token(self):
        """Hexadecimal tokens: Safaricom refuses C2B URLs containing "exe", "cmd", "sql"… in any case,
        which a base64 token could spell by chance; hex digits cannot."""
        if self.code == 'mpesa' and not self.sudo()._ddcpts_secret('ddcpts_callback_token'):
            self.sudo()._ddcpts_set_secret('ddcpts_callback_token', secrets.token_hex(32))
        return super()._ddcpts_get_callback_token()

    # ------------------------------------------------------------------
    # Daraja client
    # ------------------------------------------------------------------

    def _mpesa_base_url(self):
        self.ensure_one()
        if self.mpesa_environment == 'custom':
            if not self.mpesa_custom_url:
                raise UserError(_("Enter the custom API URL of %s.", self.name))
            return self.mpesa_custom_url.rstrip('/')
        return const.API_URLS[self.mpesa_environment or 'sandbox']

    def _mpesa_fetch_token(self):
        """Ask Daraja for a new access token; return ``(token, expires_in)``."""
        self.ensure_one()
        key, secret = self._ddcpts_secret('mpesa_consumer_key'), self._ddcpts_secret('mpesa_consumer_secret')
        if not key or not secret:
            raise UserError(_("Enter the consumer key and secret of %s.", self.name))
        response = self._ddcpts_request(
            'GET', self._mpesa_base_url() + const.OAUTH_PATH, endpoint='oauth', idempotent=True,
            params={'grant_type': 'client_credentials'}, auth=(key, secret), secret_values=(key, secret),
        )
        data = self._mpesa_json(response)
        if not response.ok or not data.get('access_token'):
            raise UserError(_("M-Pesa refused the consumer key and secret of %(provider)s: %(message)s",
                              provider=self.name, message=daraja.error_message(data, response.reason)))
        return data['access_token'], data.get('expires_in') or 3599

    def _mpesa_request(self, path, payload, *, endpoint, related=None, idempotent=False):
        """POST a Daraja call with a cached access token; return ``(http status, parsed body)``.

        A token rejected as invalid (``404.001.03``, e.g. replaced by another worker's refresh) is
        renewed and the call sent once more: the gateway refused it before anything was done. When
        another worker already cached a newer token, that one is used: renewing it again would
        invalidate it under that worker's feet (a new Daraja token may revoke the previous one).
        """
        self.ensure_one()
        for attempt in (1, 2):
            token = self._ddcpts_bearer_token(self._mpesa_fetch_token)
            response = self._ddcpts_request(
                'POST', self._mpesa_base_url() + path, endpoint=endpoint, json=payload, related=related,
                headers={'Authorization': f'Bearer {token}'}, idempotent=idempotent,
            )
            data = self._mpesa_json(response)
            if daraja.error_code(data) == const.ERROR_INVALID_TOKEN and attempt == 1:
                self._ddcpts_invalidate_token(rejected_token=token)
                continue
            return response.status_code, data

    @staticmethod
    def _mpesa_json(response):
        try:
            data = response.json()
        except ValueError:
            return {'errorMessage': (response.text or response.reason or '')[:300]}
        return data if isinstance(data, dict) else {'errorMessage': str(data)[:300]}

    def _mpesa_refusal(self, data, action):
        """A UserError telling the clerk what Daraja refused, in words."""
        message = daraja.error_message(data, _("no explanation given"))
        template = const.REQUEST_ERROR_MESSAGES.get(daraja.error_code(data))
        return UserError(_("M-Pesa refused to %(action)s: %(message)s", action=action,
                           message=str(template) % message if template else message))

    def _mpesa_password(self):
        """``(Timestamp, Password)`` of an STK call, built from the same timestamp string."""
        passkey = self._ddcpts_secret('mpesa_passkey')
        if not passkey:
            raise UserError(_("Enter the passkey of %s.", self.name))
        timestamp = daraja.timestamp_now()
        return timestamp, daraja.stk_password(self.mpesa_shortcode, passkey, timestamp)

    def _mpesa_initiator(self):
        """``(initiator name, SecurityCredential)`` for B2C, status, balance and reversal calls."""
        self.ensure_one()
        password = self._ddcpts_secret('mpesa_initiator_password')
        if not self.mpesa_initiator_name or not password:
            raise UserError(_("Enter the initiator name and password of %s first.", self.name))
        certificate = (self.mpesa_certificate_production if self.mpesa_environment == 'production'
                       else self.mpesa_certificate_sandbox)
        if not certificate:
            raise UserError(_("Upload Safaricom's %(environment)s certificate on %(provider)s first.",
                              environment=_("production") if self.mpesa_environment == 'production' else _("sandbox"),
                              provider=self.name))
        try:
            credential = daraja.security_credential(password, base64.b64decode(certificate))
        except ValueError as error:
            raise UserError(str(error)) from error
        return self.mpesa_initiator_name, credential

    def _mpesa_callback_url(self, event):
        return self._ddcpts_callback_url(const.CALLBACK_PREFIX, event)

    def _mpesa_party_b(self):
        """PartyB and TransactionType of an STK push: the paybill, or the till for Buy Goods."""
        if self.mpesa_account_type == 'till':
            return self.mpesa_till_number, 'CustomerBuyGoodsOnline'
        return self.mpesa_shortcode, 'CustomerPayBillOnline'

    def _mpesa_whole_amount(self, amount, currency):
        """The amount M-Pesa can request, in whole shillings, according to the cents setting.

        :raise UserError: other currency, cents refused, or outside 1–250 000
        """
        self.ensure_one()
        if currency.name not in const.SUPPORTED_CURRENCIES:
            raise UserError(_("M-Pesa only takes Kenyan shillings (KES), not %s.", currency.name))
        value = Decimal(str(currency.round(amount)))
        whole = value.to_integral_value(rounding=ROUND_CEILING)
        if whole != value and self.mpesa_cents_policy == 'refuse':
            raise UserError(_("M-Pesa only moves whole shillings: KES %s cannot be requested. Ask for a whole "
                              "amount.", value))
        if not const.STK_MIN_AMOUNT <= whole <= const.STK_MAX_AMOUNT:
            raise UserError(_("M-Pesa takes between KES %(min)s and KES %(max)s in one payment, not KES %(amount)s.",
                              min=const.STK_MIN_AMOUNT, max=f'{const.STK_MAX_AMOUNT:,}', amount=whole))
        return int(whole)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_mpesa_register_c2b_urls(self):
        """Register this Odoo's confirmation and validation URLs for paybill/till payments (C2B v2)."""
        self.ensure_one()
        urls = {
            'ConfirmationURL': self._mpesa_callback_url('c2b-confirmation'),
            'ValidationURL': self._mpesa_callback_url('c2b-validation'),
        }
        for url in urls.values():
            forbidden = [word for word in const.FORBIDDEN_URL_WORDS if word in url.lower()]
            if forbidden:
                raise UserError(_(
                    "Safaricom refuses callback URLs containing \"%(word)s\" (%(url)s). Set a public URL for "
                    "callbacks without it on the provider.", word=forbidden[0], url=url.split('/ddcpts/')[0],
                ))
        _status, data = self._mpesa_request(const.C2B_REGISTER_PATH, {
            'ShortCode': self.mpesa_shortcode,
            'ResponseType': self.mpesa_c2b_response_type or 'Completed',
            **urls,
        }, endpoint='c2b_register')
        if not daraja.is_accepted(data):
            raise self._mpesa_refusal(data, _("register the paybill URLs"))
        self.mpesa_c2b_registered_at = fields.Datetime.now()
        return notification(_("M-Pesa will send paybill payments of %s to this Odoo.", self.mpesa_shortcode),
                            reload=True)

    def action_mpesa_check_balance(self):
        """Ask M-Pesa for the account balances; the answer arrives on the result route."""
        self.ensure_one()
        self.env['ddcpts.mpesa.request']._mpesa_send_balance(self)
        return notification(_("Balance requested: M-Pesa answers within a few seconds."), reload=True)
