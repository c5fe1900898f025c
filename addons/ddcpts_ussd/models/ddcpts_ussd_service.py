import json
import logging
from urllib.parse import parse_qsl, quote, urlencode

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.exceptions import ProviderError
from odoo.addons.ddcpts_base.models.ddcpts_secret_mixin import SecretField
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_ussd import const
from odoo.addons.ddcpts_ussd.tools import gateway
from odoo.addons.ddcpts_ussd.tools import menu as ussd

_logger = logging.getLogger(__name__)

ROUTE_PREFIX = '/ddcpts/ussd'


class UssdContext(ussd.Context):
    """What the menu nodes of a request see: the service, the session, the caller and their partner."""

    def __init__(self, service, session, accepted_positions=()):
        self.env = service.env
        self.service = service
        self.session = session
        # read field by field: a USSD screen needs the company's name, not its hundred columns
        self.company = (service.company_id or service.env.company).with_context(prefetch_fields=False)
        self.phone = session.phone
        self.partner = session.partner_id
        self.accepted_positions = set(accepted_positions)

    def pin_accepted(self):
        self.accepted_positions.add(self.position)

    def pin_was_accepted(self):
        return self.position in self.accepted_positions


class DdcptsUssdService(models.Model):
    """A USSD service code (``*384*55#``) answered by this database through one callback URL.

    Menus are Python (``tools/menu.py``): each addon registers root menus with
    :meth:`_ddcpts_ussd_root_menus`, and a service picks one of them.
    """
    _name = 'ddcpts.ussd.service'
    _inherit = ['ddcpts.provider.mixin']
    _description = "USSD service"
    _order = 'sequence, id'

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company, index=True)
    service_code = fields.Char(
        required=True, help="The code callers dial, as the gateway sends it, e.g. *384*55#.")
    gateway_format = fields.Selection(
        const.GATEWAY_FORMATS, required=True, default='africastalking',
        help="How the gateway talks to Odoo. The callback URL accepts Africa's Talking forms and MTN JSON alike; "
             "MTN MADAPI also needs its API key, as the screens are sent through its API.")
    root_menu = fields.Selection(selection='_ddcpts_ussd_root_menu_selection', required=True, default='demo',
                                 help="The first screen and everything under it.")
    callback_url = fields.Char(compute='_compute_callback_url', groups='ddcpts_base.group_ddcpts_manager',
                               help="Give this URL to the gateway (its token authenticates the gateway).")
    madapi_url = fields.Char("MADAPI URL", default=const.MADAPI_DEFAULT_URL)
    madapi_api_key = SecretField("MADAPI API Key")
    madapi_target_system = fields.Char(
        "MADAPI Target System", help="The name MTN knows your system by (targetSystem of the subscription).")
    madapi_subscription_id = fields.Char("MADAPI Subscription", readonly=True, copy=False)
    session_ids = fields.One2many('ddcpts.ussd.session', 'service_id')
    session_count = fields.Integer(compute='_compute_session_count')

    _sql_constraints = [
        ('service_code_company_uniq', 'unique(service_code, company_id)',
         "This service code is already configured in this company."),
    ]

    @api.depends('ddcpts_public_url')
    def _compute_callback_url(self):
        for service in self:
            service.callback_url = service.id and service._ddcpts_ussd_callback_url()

    def _compute_session_count(self):
        counts = dict(self.env['ddcpts.ussd.session']._read_group(
            [('service_id', 'in', self.ids)], ['service_id'], ['__count']))
        for service in self:
            service.session_count = counts.get(service, 0)

    def _ddcpts_ussd_callback_url(self):
        self.ensure_one()
        base_url = (self.ddcpts_public_url or self.get_base_url()).rstrip('/')
        return f'{base_url}{ROUTE_PREFIX}/{self.id}/{self.sudo()._ddcpts_get_callback_token()}'

    def _ddcpts_provider_code(self):
        return 'ussd'

    # ------------------------------------------------------------------
    # Menus: the extension points of other addons
    # ------------------------------------------------------------------

    @api.model
    def _ddcpts_ussd_root_menus(self):
        """The root menus a service can use: ``{code: (label, builder)}``, ``builder(ctx) -> Node``.

        Addons add theirs by overriding this method (see readme/USAGE.md)::

            def _ddcpts_ussd_root_menus(self):
                return {**super()._ddcpts_ussd_root_menus(), 'sacco': (_("SACCO"), self._sacco_ussd_menu)}
        """
        return {'demo': (_("Demo: my account"), self._ddcpts_ussd_demo_menu)}

    @api.model
    def _ddcpts_ussd_root_menu_selection(self):
        return [(code, label) for code, (label, _builder) in self._ddcpts_ussd_root_menus().items()]

    def _ddcpts_ussd_root(self, ctx):
        """The root node of this service's menu for one request."""
        self.ensure_one()
        _label, builder = self._ddcpts_ussd_root_menus()[self.root_menu]
        return builder(ctx)

    @api.model
    def _ddcpts_ussd_demo_menu(self, ctx):
        """The demo menu: who am I, my number, my last payment, my PIN."""
        return ussd.Menu(lambda c: _("Welcome to %s", c.company.name)[:60], [
            ussd.Option(_("My account"), self._ddcpts_ussd_pin_gate(ussd.Message(self._ddcpts_ussd_account_text))),
            ussd.Option(_("My phone number"), ussd.Message(lambda c: _("Your number is %s.", c.phone))),
            ussd.Option(_("Last payment"), ussd.Message(self._ddcpts_ussd_last_payment_text)),
            ussd.Option(_("My PIN"), self._ddcpts_ussd_pin_menu()),
        ])

    @api.model
    def _ddcpts_ussd_account_text(self, ctx):
        partner = ctx.partner.with_company(ctx.company)
        return _("%(name)s\nRef: %(ref)s\nBalance due: %(currency)s %(amount)s",
                 name=ussd.plain(partner.name)[:60], ref=ussd.plain(partner.ref or partner.id)[:20],
                 currency=ctx.company.currency_id.name, amount=f"{partner.credit:,.2f}")

    @api.model
    def _ddcpts_ussd_last_payment_text(self, ctx):
        if not ctx.partner:
            return self._ddcpts_ussd_unknown_caller_text(ctx)
        payment = self.env['account.payment'].search([
            ('partner_id', 'child_of', ctx.partner.commercial_partner_id.id),
            ('payment_type', '=', 'inbound'), ('state', 'in', ('in_process', 'paid')),
            ('company_id', '=', ctx.company.id),
        ], order='date desc, id desc', limit=1)
        if not payment:
            return _("No payment from you yet.")
        return _("Last payment: %(currency)s %(amount)s on %(date)s.",
                 currency=payment.currency_id.name, amount=f"{payment.amount:,.2f}", date=payment.date)

    @api.model
    def _ddcpts_ussd_unknown_caller_text(self, ctx):
        return _("This number is not registered with %s.", ussd.plain(ctx.company.name)[:60])

    # PIN ------------------------------------------------------------------

    @api.model
    def _ddcpts_ussd_pin_gate(self, node, text=None):
        """``node`` behind the caller's PIN: unknown callers, callers without a PIN and locked PINs
        end the session with an explanation; a wrong PIN is asked again until the lockout."""
        def gate(ctx):
            if not ctx.partner:
                return ussd.Message(self._ddcpts_ussd_unknown_caller_text)
            pin = self.env['ddcpts.ussd.pin']._ddcpts_for(ctx.partner, ctx.company)
            if not pin:
                return ussd.Message(_("Set your PIN first: choose My PIN in the main menu."))
            if pin.locked:
                return ussd.Message(self.env['ddcpts.ussd.pin']._ddcpts_locked_text(ctx.company))
            return ussd.PinPrompt(text or _("Enter your PIN"), self._ddcpts_ussd_check_pin, lambda c, value: node)
        return ussd.Dynamic(gate)

    @api.model
    def _ddcpts_ussd_check_pin(self, ctx, pin):
        PinModel = self.env['ddcpts.ussd.pin']
        record = PinModel._ddcpts_for(ctx.partner, ctx.company)
        if record._ddcpts_verify(pin):
            return True
        if record.locked:
            return ussd.Message(PinModel._ddcpts_locked_text(ctx.company))
        raise ussd.InvalidInput(_("Wrong PIN."))

    @api.model
    def _ddcpts_ussd_pin_menu(self):
        """Set or change the caller's PIN (usable in any addon's menu)."""
        def build(ctx):
            if not ctx.partner:
                return ussd.Message(self._ddcpts_ussd_unknown_caller_text)
            new_pin = ussd.PinPrompt(_("Enter a new PIN of 4 digits"), self._ddcpts_ussd_choose_pin,
                                     lambda c, value: confirm)
            confirm = ussd.PinPrompt(_("Enter the new PIN again"), self._ddcpts_ussd_confirm_pin,
                                     lambda c, value: ussd.Action(self._ddcpts_ussd_save_pin))
            if self.env['ddcpts.ussd.pin']._ddcpts_for(ctx.partner, ctx.company):
                return self._ddcpts_ussd_pin_gate(new_pin, text=_("Enter your current PIN")).resolve(ctx)
            return new_pin
        return ussd.Dynamic(build)

    @api.model
    def _ddcpts_ussd_choose_pin(self, ctx, pin):
        self.env['ddcpts.ussd.pin']._ddcpts_check_new_pin(pin)
        ctx.session.pending_pin_hash = self.env['ddcpts.ussd.pin']._ddcpts_hash(pin)
        return True

    @api.model
    def _ddcpts_ussd_confirm_pin(self, ctx, pin):
        if not ctx.session.pending_pin_hash or not self.env['ddcpts.ussd.pin']._ddcpts_matches(
                pin, ctx.session.pending_pin_hash):
            raise ussd.InvalidInput(_("The PINs differ."))
        return True

    @api.model
    def _ddcpts_ussd_save_pin(self, ctx):
        self.env['ddcpts.ussd.pin']._ddcpts_store_hash(ctx.partner, ctx.company, ctx.session.pending_pin_hash)
        ctx.session.pending_pin_hash = False
        return _("Your PIN is saved. Keep it secret.")

    # ------------------------------------------------------------------
    # Callback storage: no PIN is ever stored
    # ------------------------------------------------------------------

    def _ddcpts_callback_body_for_storage(self, body):
        """Mask the inputs that answer PIN prompts (positions recorded on the session); when the URL
        names no service, every input but the navigation keys is masked."""
        payload, content_type = _parse_body(body)
        kind = gateway.detect(payload, content_type)
        if not kind or payload.get(gateway.INPUT_FIELDS[kind]) in (None, ''):
            return body  # nothing typed (a first request): nothing to mask, no session to read
        session_ref = payload.get('sessionId')
        session = self.env['ddcpts.ussd.session']
        if self and isinstance(session_ref, (str, int)):
            session = session._ddcpts_find(self, str(session_ref))
        if self and kind != 'at_end':
            positions, first = session._ddcpts_secret_positions(), len(session._ddcpts_inputs())
        else:
            # no service to ask, or an end notification (whose inputs nothing reads): mask every input
            positions, first = range(1000), 0
        masked = gateway.mask_inputs(payload, kind, positions, first_position=first)
        if masked == payload:
            return body
        return json.dumps(masked) if content_type == 'json' else urlencode(masked)

    def _ddcpts_callback_reprocess_refusal(self, callback):
        """A USSD step is answered while the caller waits: the answer went to the gateway (or the session
        failed) and the caller has gone since. Replaying it later would answer nobody and run the menu
        again with the masked PIN, counting a wrong try against the caller. Only Africa's Talking's
        end-of-session notification, which reads no input, can be processed again."""
        payload, content_type = _parse_body(callback.body)
        if gateway.detect(payload, content_type) == 'at_end':
            return None
        return _("A USSD request is answered while the caller waits; it cannot be answered again later.")

    # ------------------------------------------------------------------
    # MTN MADAPI
    # ------------------------------------------------------------------

    def _ddcpts_madapi_call(self, method, path, body, endpoint, related=None):
        self.ensure_one()
        api_key = self.sudo()._ddcpts_secret('madapi_api_key')
        if not api_key:
            raise UserError(_("Enter the MADAPI API key of %s first.", self.name))
        return self._ddcpts_request(
            method, (self.madapi_url or const.MADAPI_DEFAULT_URL).rstrip('/') + path, endpoint=endpoint,
            json=body, headers={'x-api-key': api_key, 'Content-Type': 'application/json'}, timeout=10,
            related=related, secret_values=(api_key,))

    def action_ddcpts_madapi_subscribe(self):
        """Button: register this service's callback URL with MTN MADAPI for its service code."""
        self.ensure_one()
        if not self.madapi_target_system:
            raise UserError(_("Enter the MADAPI target system of %s first: MTN gives it when it onboards you.",
                              self.name))
        response = self._ddcpts_madapi_call('POST', const.MADAPI_SUBSCRIPTION_PATH, {
            'serviceCode': self.service_code, 'callbackUrl': self._ddcpts_ussd_callback_url(),
            'targetSystem': self.madapi_target_system,
        }, 'ussd_subscription')
        answer = response.json() if gateway.madapi_succeeded(response) else None
        data = answer.get('data') if isinstance(answer, dict) else None
        subscription = data.get('subscriptionId') if isinstance(data, dict) else None
        if not isinstance(subscription, (str, int)) or not str(subscription):
            raise UserError(_("MTN refused the subscription (HTTP %(status)s): %(answer)s",
                              status=response.status_code, answer=gateway.madapi_error(response)))
        self.madapi_subscription_id = str(subscription)[:64]
        return notification(_("MTN will send the USSD sessions of %s to this database.", self.service_code))

    def action_ddcpts_madapi_unsubscribe(self):
        """Button: stop MTN MADAPI sending this service code's sessions here."""
        self.ensure_one()
        if not self.madapi_subscription_id:
            raise UserError(_("%s is not registered with MTN.", self.name))
        response = self._ddcpts_madapi_call(
            'DELETE', f'{const.MADAPI_SUBSCRIPTION_PATH}/{quote(self.madapi_subscription_id, safe="")}', None,
            'ussd_unsubscription')
        if not gateway.madapi_succeeded(response) and response.status_code != 404:
            raise UserError(_("MTN refused to end the subscription (HTTP %(status)s): %(answer)s",
                              status=response.status_code, answer=gateway.madapi_error(response)))
        self.madapi_subscription_id = False
        return notification(_("MTN no longer sends the USSD sessions of %s here.", self.service_code))

    def _ddcpts_madapi_send(self, outbound, session_id):
        """Send the screen of a MADAPI session (once: a late screen is useless to a caller, so a
        failure ends the session instead of being retried)."""
        self.ensure_one()
        session = self.env['ddcpts.ussd.session'].browse(session_id)
        try:
            response = self._ddcpts_madapi_call('POST', const.MADAPI_OUTBOUND_PATH, outbound, 'ussd_outbound',
                                                related=session)
            error = None if gateway.madapi_succeeded(response) else gateway.madapi_error(response)
        except (ProviderError, UserError) as exception:
            error = str(exception)
        if error:
            _logger.warning("USSD service %s: the screen of session %s was not sent: %s", self.id, session_id, error)
            session._ddcpts_close('failed')
            session.gateway_error = error[:500]

    # ------------------------------------------------------------------
    # Views
    # ------------------------------------------------------------------

    def action_view_sessions(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('ddcpts_ussd.action_ddcpts_ussd_session')
        action['domain'] = [('service_id', '=', self.id)]
        return action


def _parse_body(body):
    """A body as the route may receive it: ``(payload, 'json'|'form')``, or ``(None, None)``."""
    text = (body or '').strip()
    if text.startswith('{'):
        try:
            return json.loads(text), 'json'
        except ValueError:
            return None, None
    return dict(parse_qsl(text, keep_blank_values=True)), 'form'
