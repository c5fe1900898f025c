import uuid
from urllib.parse import urlparse

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.ddcpts_base.exceptions import CallbackInputError
from odoo.addons.ddcpts_base.models.ddcpts_secret_mixin import SecretField
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_base.tools.amounts import display_amount
from odoo.addons.ddcpts_base.tools.identity import normalize_mobile_number
from odoo.addons.ddcpts_momo import const
from odoo.addons.ddcpts_momo.tools import schemas


class PaymentProvider(models.Model):
    """MTN Mobile Money through the MoMo Open API: one provider record per MoMo account and market.

    Every call goes through the foundation's HTTP client (call log, health) with a bearer token cached
    per product (collection, disbursement); callback URLs are ``/ddcpts/momo/<id>/<token>/…``.
    """
    _inherit = 'payment.provider'

    code = fields.Selection(selection_add=[('momo', "MTN Mobile Money")], ondelete={'momo': 'set default'})
    momo_target_environment = fields.Selection(
        const.TARGET_ENVIRONMENT_SELECTION, string="MoMo Target Environment", default='sandbox',
        required_if_provider='momo',
        help="Sent as X-Target-Environment: the sandbox (EUR only), or the MTN market of the account.",
    )
    momo_api_url_type = fields.Selection(
        [('sandbox', "MTN sandbox"), ('market', "Market URL"), ('custom', "Custom URL")],
        string="MoMo API", default='sandbox', required_if_provider='momo',
        help="Market: the production host MTN gave for your market. Custom: a MoMo-compatible server such as the "
             "DDCPTS simulator.",
    )
    momo_api_url = fields.Char("MoMo API URL", help="e.g. https://proxy.momoapi.mtn.com, or http://localhost:8070")
    momo_api_user = fields.Char("API User", help="The API user id (a UUID) created in the sandbox or given by MTN.")
    momo_api_key = SecretField("API Key")
    momo_collection_key = SecretField(
        "Collection Subscription Key", help="Ocp-Apim-Subscription-Key of the Collection product (payments).",
    )
    momo_disbursement_key = SecretField(
        "Disbursement Subscription Key", help="Ocp-Apim-Subscription-Key of the Disbursement product (payouts).",
    )
    momo_callback_host = fields.Char(
        "Callback Host", help="providerCallbackHost registered with MTN (e.g. erp.example.com). Callbacks are only "
                              "requested when it is the host of this provider's public URL; otherwise payments "
                              "are settled by status queries alone.",
    )
    momo_check_account_holder = fields.Boolean(
        "Check Account Holder", help="Before requesting a payment, ask MTN whether the number has an active wallet.",
    )
    momo_currency_id = fields.Many2one('res.currency', "MoMo Currency", compute='_compute_momo_currency_id')
    momo_balance = fields.Monetary("MoMo Disbursement Balance", currency_field='momo_currency_id', readonly=True,
                                   copy=False)
    momo_balance_checked_at = fields.Datetime("MoMo Balance Received On", readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Payment framework
    # ------------------------------------------------------------------

    @api.depends('momo_target_environment')
    def _compute_momo_currency_id(self):
        for provider in self:
            currency_name = const.TARGET_ENVIRONMENTS[provider.momo_target_environment or 'sandbox'][1]
            provider.momo_currency_id = self.env['res.currency'].with_context(active_test=False).search(
                [('name', '=', currency_name)], limit=1)

    def _get_supported_currencies(self):
        supported_currencies = super()._get_supported_currencies()
        if self.code == 'momo':
            supported_currencies = supported_currencies.filtered(lambda c: c == self.momo_currency_id)
        return supported_currencies

    def _get_default_payment_method_codes(self):
        if self.code != 'momo':
            return super()._get_default_payment_method_codes()
        return {'mtn_momo'}

    @api.constrains('state', 'momo_api_url_type', 'momo_api_url', 'momo_target_environment')
    def _check_momo_configuration(self):
        for provider in self.filtered(lambda p: p.code == 'momo' and p.state != 'disabled'):
            if provider.momo_api_url_type != 'sandbox' and not provider.momo_api_url:
                raise ValidationError(_("Enter the MoMo API URL of %s.", provider.name))
            if provider.momo_api_url_type == 'sandbox' and provider.momo_target_environment != 'sandbox':
                raise ValidationError(_("The MTN sandbox only serves the \"sandbox\" target environment: choose the "
                                        "market URL for %s.", provider.name))

    # ------------------------------------------------------------------
    # ddcpts.provider.mixin
    # ------------------------------------------------------------------

    @api.model
    def _ddcpts_mobile_provider_codes(self):
        return super()._ddcpts_mobile_provider_codes() + ['momo']

    def _ddcpts_provider_code(self):
        if self.code == 'momo':
            return 'momo'
        return super()._ddcpts_provider_code()

    def _ddcpts_callback_urls(self):
        if self.code != 'momo':
            return super()._ddcpts_callback_urls()
        return [
            (_("Request-to-Pay results (sent with each request as X-Callback-Url)"),
             self._ddcpts_callback_url(const.CALLBACK_PREFIX, 'collection/<X-Reference-Id>')),
            (_("Payout results (sent with each transfer as X-Callback-Url)"),
             self._ddcpts_callback_url(const.CALLBACK_PREFIX, 'disbursement/<X-Reference-Id>')),
        ]

    def _ddcpts_setup_steps(self):
        if self.code != 'momo':
            return super()._ddcpts_setup_steps()
        public_host = urlparse(self.ddcpts_public_url or self.get_base_url())
        callback_host = (self.momo_callback_host or '').strip().lower()
        journal = self.sudo().journal_id  # shown to payment administrators who may not read journals
        currency = journal.currency_id or self.company_id.currency_id
        return [
            (_("API user and API key entered (sandbox: Create Sandbox API User)"),
             self.momo_api_user and self.momo_api_key),
            (_("Collection subscription key entered (payments)"), self.momo_collection_key),
            (_("Disbursement subscription key entered (payouts)"), self.momo_disbursement_key),
            (_("Journal in the currency of the target environment (%s)", self.momo_currency_id.name),
             self.momo_currency_id and currency == self.momo_currency_id
             and (self.momo_api_url_type != 'sandbox' or self.momo_target_environment == 'sandbox')),
            (_("Callback host is this server's public host, reached over https (Public URL for Callbacks)"),
             callback_host and public_host.hostname == callback_host
             and (public_host.scheme == 'https' or self.momo_api_url_type == 'custom'
                  or self.momo_target_environment == 'sandbox')),
            *super()._ddcpts_setup_steps(),
        ]

    def _ddcpts_health_check(self):
        if self.code != 'momo':
            return super()._ddcpts_health_check()
        self._momo_fetch_token('collection')

    # ------------------------------------------------------------------
    # MoMo client
    # ------------------------------------------------------------------

    def _momo_base_url(self):
        self.ensure_one()
        if self.momo_api_url_type == 'sandbox':
            return const.SANDBOX_URL
        if not self.momo_api_url:
            raise UserError(_("Enter the MoMo API URL of %s.", self.name))
        return self.momo_api_url.rstrip('/')

    def _momo_subscription_key(self, product):
        key = self._ddcpts_secret(f'momo_{product}_key')
        if not key:
            raise UserError(_("Enter the %(product)s subscription key of %(provider)s.",
                              product=product.capitalize(), provider=self.name))
        return key

    def _momo_headers(self, product):
        return {
            'Ocp-Apim-Subscription-Key': self._momo_subscription_key(product),
            'X-Target-Environment': self.momo_target_environment or 'sandbox',
        }

    def _momo_fetch_token(self, product):
        """Ask MoMo for an access token of ``product``; return ``(token, expires_in)``."""
        self.ensure_one()
        api_key = self._ddcpts_secret('momo_api_key')
        if not self.momo_api_user or not api_key:
            raise UserError(_("Enter the API user and API key of %s (in the sandbox: Create Sandbox API User).",
                              self.name))
        response = self._ddcpts_request(
            'POST', self._momo_base_url() + const.TOKEN_PATH.format(product=product), endpoint=f'{product}_token',
            headers={'Ocp-Apim-Subscription-Key': self._momo_subscription_key(product)},
            auth=(self.momo_api_user, api_key), idempotent=True, secret_values=(api_key,),
        )
        if not response.ok:
            raise UserError(_("MTN MoMo refused the API user and key of %(provider)s: %(message)s",
                              provider=self.name, message=self._momo_error_text(response)))
        data = self._momo_parse(response, schemas.TOKEN)
        return data['access_token'], data['expires_in']

    def _momo_request(self, product, method, path, *, endpoint, json=None, headers=None, related=None):
        """Call a MoMo product API with its cached bearer token; return the ``requests.Response``."""
        self.ensure_one()
        return self._ddcpts_bearer_request(
            method, self._momo_base_url() + path, lambda: self._momo_fetch_token(product), scope=product,
            headers={**self._momo_headers(product), **(headers or {})}, json=json, endpoint=endpoint,
            related=related,
        )

    def _momo_parse(self, response, shape):
        """The validated JSON answer, or a UserError a clerk can pass on to whoever maintains the integration."""
        try:
            return shape.validate(response.json())
        except (ValueError, CallbackInputError) as error:
            raise UserError(_("MTN MoMo sent an answer that cannot be read (%(error)s): %(body)s",
                              error=error, body=(response.text or '')[:200])) from error

    @staticmethod
    def _momo_error_code(response):
        try:
            data = response.json()
        except ValueError:
            return ''
        code = data.get('code') if isinstance(data, dict) else None
        return code if isinstance(code, str) else ''

    def _momo_error_text(self, response):
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            code = data.get('code') if isinstance(data.get('code'), str) else ''
            message = data.get('message') if isinstance(data.get('message'), str) else ''
            known = const.REASON_MESSAGES.get(code)
            text = str(known) if known else message or code
            if text:
                return f"{text} (HTTP {response.status_code})"
        return f"HTTP {response.status_code} {(response.text or response.reason or '')[:200]}".strip()

    def _momo_refusal(self, response, action):
        if response.status_code == 403:
            return UserError(_(
                "MTN MoMo refused to %(action)s (HTTP 403). In production MTN only accepts calls from the server "
                "addresses it has allowlisted: ask MTN to allowlist this server's public IP address for %(provider)s.",
                action=action, provider=self.name))
        return UserError(_("MTN MoMo refused to %(action)s: %(message)s", action=action,
                           message=self._momo_error_text(response)))

    def _momo_callback_url(self, product, reference_id):
        """The X-Callback-Url of a request, or None when MTN would refuse it (host not the registered one)."""
        url = self._ddcpts_callback_url(const.CALLBACK_PREFIX, f'{product}/{reference_id}')
        host = urlparse(url).hostname
        return url if host and self.momo_callback_host and host == self.momo_callback_host.strip().lower() else None

    def _momo_msisdn(self, number):
        """The payer's or payee's MSISDN as MoMo wants it: country code and number, digits only.

        The sandbox takes its test numbers (``46733123450``…) as typed; a market reads local formats of
        its country.
        """
        self.ensure_one()
        number = str(number or '').strip()
        digits = ''.join(filter(str.isdigit, number))
        if self.momo_target_environment == 'sandbox' and number.lstrip('+').isdigit() \
                and not number.startswith('0') and 8 <= len(digits) <= 15:
            return digits
        country = const.TARGET_ENVIRONMENTS[self.momo_target_environment or 'sandbox'][0] \
            or self.company_id.country_id.code
        return normalize_mobile_number(number, country)

    def _momo_check_currency(self, currency):
        self.ensure_one()
        if currency != self.momo_currency_id:
            raise UserError(_("%(provider)s takes %(expected)s only (%(environment)s), not %(currency)s.",
                              provider=self.name, expected=self.momo_currency_id.name, currency=currency.name,
                              environment=dict(const.TARGET_ENVIRONMENT_SELECTION)[self.momo_target_environment]))

    def _momo_is_active_account_holder(self, msisdn):
        response = self._momo_request('collection', 'GET', const.ACCOUNT_HOLDER_PATH.format(msisdn=msisdn),
                                      endpoint='accountholder')
        if response.status_code == 404:
            return False
        if not response.ok:
            raise self._momo_refusal(response, _("check the account of %s", msisdn))
        return self._momo_parse(response, schemas.ACCOUNT_HOLDER)['result']

    def _momo_get_status(self, product, reference_id, related=None):
        """The status of a Request to Pay or a transfer: the validated answer, or None when MTN does not
        know the reference (404)."""
        path = f'{const.REQUEST_TO_PAY_PATH}/{reference_id}' if product == 'collection' \
            else f'{const.TRANSFER_PATH}/{reference_id}'
        response = self._momo_request(product, 'GET', path, endpoint=f'{product}_status', related=related)
        if response.status_code == 404:
            return None
        if not response.ok:
            raise self._momo_refusal(response, _("give the status of %s", reference_id))
        shape = schemas.REQUEST_TO_PAY_STATUS if product == 'collection' else schemas.TRANSFER_STATUS
        return self._momo_parse(response, shape)

    @staticmethod
    def _momo_reason_message(status, reason):
        message = const.REASON_MESSAGES.get(reason or '')
        if message:
            return str(message)
        return _("MTN MoMo reports the payment as %(status)s (%(reason)s).", status=status.lower(),
                 reason=reason or _("no reason given"))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_momo_check_balance(self):
        """Button: read the disbursement account balance (what payouts can still send)."""
        self.ensure_one()
        response = self._momo_request('disbursement', 'GET', const.BALANCE_PATH.format(product='disbursement'),
                                      endpoint='balance')
        if not response.ok:
            raise self._momo_refusal(response, _("give the balance"))
        data = self._momo_parse(response, schemas.BALANCE)
        if data['currency'] != self.momo_currency_id.name:
            raise UserError(_("MTN MoMo reports the balance in %(currency)s, not %(expected)s: check the target "
                              "environment of %(provider)s.", currency=data['currency'],
                              expected=self.momo_currency_id.name, provider=self.name))
        self.write({'momo_balance': float(data['availableBalance']), 'momo_balance_checked_at': fields.Datetime.now()})
        return notification(_("Disbursement balance: %s", display_amount(data['availableBalance'],
                                                                          self.momo_currency_id)), reload=True)

    def action_momo_open_sandbox_setup(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _("Create Sandbox API User"),
            'res_model': 'ddcpts.momo.sandbox.setup',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_provider_id': self.id},
        }

    # ------------------------------------------------------------------
    # Sandbox provisioning
    # ------------------------------------------------------------------

    def _momo_provision_sandbox_user(self, subscription_key, callback_host):
        """Create (or keep) the sandbox API user and key of this provider and store them.

        Idempotent: an API user MTN still knows is kept, and so is an API key that still obtains a token
        (a new key would invalidate the tokens of the old one).
        :return: whether a new API user was created
        """
        self.ensure_one()
        if self.momo_target_environment != 'sandbox':
            raise UserError(_("API users are only created in the sandbox; production credentials come from MTN's "
                              "partner portal."))
        base_url, headers = self._momo_base_url(), {'Ocp-Apim-Subscription-Key': subscription_key}
        self._ddcpts_set_secret('momo_collection_key', subscription_key)
        created = False
        user = self.momo_api_user
        if user:
            response = self._ddcpts_request('GET', f'{base_url}{const.API_USER_PATH}/{user}', headers=headers,
                                            endpoint='apiuser_get')
            if response.status_code == 404:
                user = None
            elif not response.ok:
                raise self._momo_refusal(response, _("read the sandbox API user"))
        if not user:
            user = str(uuid.uuid4())
            response = self._ddcpts_request(
                'POST', base_url + const.API_USER_PATH, endpoint='apiuser_create',
                headers={**headers, 'X-Reference-Id': user}, json={'providerCallbackHost': callback_host},
            )
            if response.status_code != 201:
                raise self._momo_refusal(response, _("create the sandbox API user"))
            self.write({'momo_api_user': user, 'momo_callback_host': callback_host})
            self._ddcpts_set_secret('momo_api_key', False)
            created = True
        if not created and self._ddcpts_secret('momo_api_key') and self._momo_key_works():
            return False
        response = self._ddcpts_request('POST', f'{base_url}{const.API_USER_PATH}/{user}/apikey', headers=headers,
                                        endpoint='apikey_create')
        if response.status_code != 201:
            raise self._momo_refusal(response, _("create the sandbox API key"))
        api_key = self._momo_parse(response, schemas.API_KEY)['apiKey']
        self._ddcpts_set_secret('momo_api_key', api_key)
        for product in const.PRODUCTS:
            self._ddcpts_invalidate_token(scope=product)
        return created

    def _momo_key_works(self):
        try:
            self._momo_fetch_token('collection')
        except UserError:
            return False
        return True
