import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import split_every

from odoo.addons.ddcpts_base.exceptions import CallbackInputError
from odoo.addons.ddcpts_base.models.ddcpts_secret_mixin import SecretField
from odoo.addons.ddcpts_sms import const
from odoo.addons.ddcpts_sms.exceptions import GatewayUnavailable
from odoo.addons.ddcpts_sms.tools.outcomes import refused
from odoo.addons.phone_validation.tools import phone_validation

_logger = logging.getLogger(__name__)

CALLBACK_ROOT = '/ddcpts/sms'


class DdcptsSmsGateway(models.Model):
    """An account at an SMS gateway through which Odoo sends its SMS instead of IAP.

    Gateways are tried by priority: a gateway that cannot send (no answer, 5xx, refused credentials)
    hands the same messages to the next one; a number the gateway refuses (invalid, blacklisted) is
    not retried elsewhere. Country and prefix routing restrict a gateway to some numbers. Each
    provider's API lives in its own ``ddcpts_sms_gateway_<type>.py`` file, implementing
    ``_ddcpts_<type>_send``, ``_ddcpts_<type>_balance`` and its callback parsers.
    """
    _name = 'ddcpts.sms.gateway'
    _inherit = ['ddcpts.provider.mixin']
    _description = "SMS gateway"
    _order = 'priority, id'

    name = fields.Char(required=True)
    type = fields.Selection(const.GATEWAY_TYPES, string="Gateway", required=True, default='africastalking')
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        'res.company', index=True, default=lambda self: self.env.company,
        help="Company whose SMS go through this gateway. Empty: every company.",
    )
    priority = fields.Integer(
        default=10, required=True,
        help="Gateways are tried from the lowest priority number up; the next one takes over when one cannot send.",
    )
    sender_id = fields.Char(
        "Sender ID",
        help="Alphanumeric sender or short code registered with the gateway (Twilio: a phone number or a "
             "Messaging Service SID starting with MG). Empty: the gateway's default.",
    )
    country_ids = fields.Many2many(
        'res.country', string="Countries", help="Only numbers of these countries go through this gateway.",
    )
    number_prefixes = fields.Char(
        help="Comma-separated international prefixes (e.g. +25470, +25471) of the numbers this gateway serves. "
             "With countries, a number matching either is served. Both empty: every number.",
    )
    api_url = fields.Char(
        "API URL",
        help="Root of the provider's API. Empty: its live address (Africa's Talking: its sandbox when the username "
             "is 'sandbox'). Infobip: your personal base URL, e.g. https://xxxxx.api.infobip.com.",
    )
    username = fields.Char(
        help="Africa's Talking: application username. Twilio: Account SID. MTN: consumer key (client id).",
    )
    api_key = SecretField(
        "API Key", help="Africa's Talking and Infobip: API key. Twilio: auth token. MTN: client secret.",
    )
    mtn_service_code = fields.Char("MTN Service Code", help="Short code or service code of your MTN SMS product.")
    at_enqueue = fields.Boolean(
        "Queue at Africa's Talking", help="Ask Africa's Talking to queue large sends (enqueue=1) instead of "
                                          "sending them while Odoo waits.",
    )
    recipients_per_request = fields.Integer(
        compute='_compute_recipients_per_request', store=True, readonly=False, precompute=True,
        help="How many numbers one request to the gateway carries (same text). Twilio takes one.",
    )
    timeout = fields.Integer("Timeout (s)", default=15, required=True,
                             help="How long to wait for the gateway before trying the next one.")
    balance = fields.Char(readonly=True, copy=False, help="Account balance read by the last connection check.")
    delivery_report_url = fields.Char(compute='_compute_callback_urls', groups='base.group_system',
                                      help="Give this URL to the gateway for delivery reports.")
    incoming_url = fields.Char("Incoming Messages URL", compute='_compute_callback_urls', groups='base.group_system',
                               help="Give this URL to the gateway for incoming messages (STOP opt-outs).")
    optout_url = fields.Char("Bulk Opt-out URL", compute='_compute_callback_urls', groups='base.group_system',
                             help="Africa's Talking: bulk SMS opt-out notifications.")
    message_count = fields.Integer("Messages", compute='_compute_message_count')

    _sql_constraints = [
        ('timeout_positive', 'CHECK(timeout > 0)', "The timeout of a gateway is at least one second."),
        ('recipients_per_request_positive', 'CHECK(recipients_per_request > 0)',
         "A request to a gateway carries at least one number."),
    ]

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------

    @api.depends('type')
    def _compute_recipients_per_request(self):
        for gateway in self:
            gateway.recipients_per_request = const.DEFAULT_RECIPIENTS_PER_REQUEST.get(gateway.type, 1)

    def _compute_callback_urls(self):
        for gateway in self:
            saved = isinstance(gateway.id, int)
            gateway.delivery_report_url = saved and gateway._ddcpts_sms_callback_url('delivery')
            gateway.incoming_url = saved and gateway.type in ('africastalking', 'mtn') \
                and gateway._ddcpts_sms_callback_url('incoming')
            gateway.optout_url = saved and gateway.type == 'africastalking' \
                and gateway._ddcpts_sms_callback_url('optout')

    def _compute_message_count(self):
        counts = dict(self.env['ddcpts.sms.message']._read_group(
            [('gateway_id', 'in', self.ids)], ['gateway_id'], ['__count'],
        ))
        for gateway in self:
            gateway.message_count = counts.get(gateway, 0)

    @api.constrains('number_prefixes')
    def _check_number_prefixes(self):
        for gateway in self:
            for prefix in gateway._ddcpts_prefixes():
                if not prefix[1:].isdigit():
                    raise ValidationError(_(
                        "%s is not an international number prefix (e.g. +25470).", prefix,
                    ))

    @api.constrains('type', 'recipients_per_request')
    def _check_twilio_one_recipient(self):
        if any(gateway.type == 'twilio' and gateway.recipients_per_request != 1 for gateway in self):
            raise ValidationError(_("Twilio sends one message per request: set Recipients per Request to 1."))

    # ------------------------------------------------------------------
    # ddcpts.provider.mixin
    # ------------------------------------------------------------------

    def _ddcpts_provider_code(self):
        return self.type or 'sms'

    def _ddcpts_setup_steps(self):
        return [(_("API key entered"), self.api_key), *super()._ddcpts_setup_steps()]

    def _ddcpts_health_check(self):
        """Read the balance (Africa's Talking ``GET /version1/user``, Twilio, Infobip) or get a token (MTN)."""
        self.ensure_one()
        balance = getattr(self, f'_ddcpts_{self.type}_balance')()
        self.sudo().balance = balance or False

    def _ddcpts_health_check_records(self):
        return self.search([('active', '=', True)])

    # ------------------------------------------------------------------
    # Routing
    # ------------------------------------------------------------------

    @api.model
    def _ddcpts_gateways_for(self, company):
        """The active gateways of ``company`` (or of every company), by priority."""
        return self.sudo().search([('company_id', 'in', (False, company.id))])

    def _ddcpts_prefixes(self):
        self.ensure_one()
        return tuple(
            '+' + prefix.strip().lstrip('+') for prefix in (self.number_prefixes or '').split(',') if prefix.strip()
        )

    def _ddcpts_serves(self, number, country_code):
        """True when this gateway's routing accepts ``number`` (E.164) of ``country_code``."""
        self.ensure_one()
        prefixes = self._ddcpts_prefixes()
        if not prefixes and not self.country_ids:
            return True
        return number.startswith(prefixes) or country_code in self.country_ids.mapped('code')

    def _ddcpts_route(self, number):
        """The gateways of ``self`` serving ``number``, in priority order."""
        if not any(gateway.country_ids or gateway.number_prefixes for gateway in self):
            return self
        country_code = phone_validation.phone_get_region_data_for_number(number)['code']
        return self.filtered(lambda gateway: gateway._ddcpts_serves(number, country_code))

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _ddcpts_send_batch(self, body, numbers, related=None):
        """Send ``body`` to ``numbers`` (E.164) in requests of this gateway; one ``SendOutcome`` per number.

        :raise GatewayUnavailable: the gateway failed as a whole (nothing was sent)
        :raise ProviderError: no answer came back (timeout, connection refused)
        :raise UserError: the gateway is not configured (no credentials, no MTN service code)
        """
        self.ensure_one()
        outcomes = []
        for chunk in split_every(self.recipients_per_request, numbers, list):
            outcomes += getattr(self, f'_ddcpts_{self.type}_send')(body, chunk, related)
        return outcomes

    def _ddcpts_dispatch(self, body, recipients, unavailable):
        """Send ``body`` to ``recipients`` through ``self`` (the route, by priority), failing over.

        :param list recipients: ``(key, number)`` pairs, numbers in E.164
        :param dict unavailable: gateway id -> reason, shared by the calls of one sending run, so a
            gateway that failed is not waited for again
        :return: ``{key: (gateway, SendOutcome)}``
        """
        results, pending = {}, list(recipients)
        for gateway in self:
            if not pending:
                break
            retry = []
            for chunk in split_every(gateway.recipients_per_request, pending, list):
                if gateway.id in unavailable:
                    retry += chunk
                    continue
                try:
                    outcomes = gateway._ddcpts_send_batch(body, [number for _key, number in chunk])
                except (GatewayUnavailable, UserError) as error:  # UserError: no answer, or not configured
                    _logger.warning("SMS gateway %s unavailable, trying the next one: %s", gateway.display_name, error)
                    unavailable[gateway.id] = str(error)
                    retry += chunk
                    continue
                for (key, number), outcome in zip(chunk, outcomes):
                    results[key] = (gateway, outcome)
                    if outcome.retry_elsewhere:
                        retry.append((key, number))
            pending = retry
        tried = self.filtered(lambda gateway: gateway.id in unavailable)
        reason = '; '.join(f'{gateway.display_name}: {unavailable[gateway.id]}' for gateway in tried)
        for key, _number in pending:
            if key not in results:
                results[key] = (tried[-1:] or self[-1:], refused(
                    'sms_server', _("No SMS gateway could send it. %s", reason),
                ))
        return results

    def _ddcpts_raise_if_unavailable(self, response):
        """Raise ``GatewayUnavailable`` for a non-2xx answer: the request as a whole was refused (the
        adapters first pick out the answers that only concern one number, such as Twilio's 400s)."""
        status = response.status_code
        if 200 <= status < 300:
            return
        if status in (401, 403):
            raise GatewayUnavailable(_("the gateway refused the credentials (HTTP %s)", status))
        raise GatewayUnavailable(_("the gateway answered HTTP %(status)s: %(text)s", status=status,
                                   text=(response.text or '')[:200]))

    def _ddcpts_api_root(self):
        self.ensure_one()
        root = self.api_url or const.DEFAULT_API_URLS.get(self.type)
        if not root:
            raise UserError(_("Set the API URL of the SMS gateway %s.", self.display_name))
        return root.rstrip('/')

    def _ddcpts_credentials(self, need_username=True):
        """``(username, secret)`` or a clear error when the gateway is not configured."""
        self.ensure_one()
        secret = self.sudo()._ddcpts_secret('api_key')
        if not secret or (need_username and not self.username):
            raise UserError(_("The SMS gateway %s has no credentials yet: set them on the gateway.",
                              self.display_name))
        return self.username, secret

    # ------------------------------------------------------------------
    # Callbacks
    # ------------------------------------------------------------------

    def _ddcpts_sms_callback_url(self, event):
        return self._ddcpts_callback_url(f'{CALLBACK_ROOT}/{self.type}', event)

    def _ddcpts_check_callback_route(self, callback):
        """Refuse a callback posted to the routes of another gateway type (the token is per record)."""
        if not callback.route.startswith(f'{CALLBACK_ROOT}/{self.type}/'):
            raise CallbackInputError(_("This URL does not belong to a %s gateway.", self.type), status=404)

    def _ddcpts_delivery_reports(self, callback):
        """The ``DeliveryReport`` items of a delivery callback of this gateway."""
        self._ddcpts_check_callback_route(callback)
        return getattr(self, f'_ddcpts_{self.type}_delivery_reports')(callback)

    def _ddcpts_incoming_messages(self, callback):
        """The ``IncomingMessage`` items of an incoming-message or opt-out callback of this gateway."""
        self._ddcpts_check_callback_route(callback)
        return getattr(self, f'_ddcpts_{self.type}_incoming_messages')(callback)

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_send_test_sms(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _("Send a Test SMS"),
            'res_model': 'ddcpts.sms.gateway.test',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_gateway_id': self.id},
        }

    def action_view_messages(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('ddcpts_sms.action_ddcpts_sms_message')
        action['domain'] = [('gateway_id', '=', self.id)]
        return action
