import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.ddcpts_base.exceptions import RETRYABLE_DATABASE_ERRORS, CallbackInputError
from odoo.addons.ddcpts_base.tools.identity import normalize_msisdn
from odoo.addons.ddcpts_base.tools.locking import process_queue
from odoo.addons.ddcpts_ussd import const
from odoo.addons.ddcpts_ussd.models.ddcpts_ussd_service import UssdContext
from odoo.addons.ddcpts_ussd.tools import gateway
from odoo.addons.ddcpts_ussd.tools import menu as ussd

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 180
DEFAULT_RETENTION_DAYS = 90
# what answering a step reads of its session (fetched with the lookup)
SESSION_STEP_FIELDS = ['phone', 'state', 'outcome', 'inputs', 'step_count', 'partner_id', 'secret_positions',
                       'accepted_positions', 'pending_pin_hash']


def _positions(text):
    return {int(item) for item in (text or '').split(',') if item.isdigit()}


def _positions_text(positions):
    return ','.join(str(position) for position in sorted(positions))


class DdcptsUssdSession(models.Model):
    """One USSD session of a caller: kept for audit (inputs with PINs masked, last screen, outcome).

    The position in the menu is never stored: it is rebuilt from the inputs at each request. What
    the replay cannot rebuild without the PINs themselves is recorded here: which inputs answered a
    PIN prompt (masked everywhere) and which of them were accepted.
    """
    _name = 'ddcpts.ussd.session'
    _description = "USSD session"
    _order = 'id desc'
    _rec_name = 'session_ref'

    service_id = fields.Many2one('ddcpts.ussd.service', required=True, index=True, ondelete='cascade', readonly=True)
    company_id = fields.Many2one('res.company', required=True, index=True, readonly=True,
                                 help="The service's company when the session started.")
    session_ref = fields.Char("Session ID", required=True, readonly=True, help="The gateway's session id.")
    gateway_format = fields.Selection(const.GATEWAY_FORMATS, readonly=True)
    phone = fields.Char(required=True, readonly=True, index=True)
    network_code = fields.Char(readonly=True)
    partner_id = fields.Many2one('res.partner', readonly=True, index='btree_not_null',
                                 help="The contact found by the caller's number when the session started.")
    state = fields.Selection([('active', "Active"), ('ended', "Ended")], required=True, default='active',
                             index=True, readonly=True)
    outcome = fields.Selection([
        ('success', "Completed"),
        ('incomplete', "Abandoned"),
        ('timeout', "Timed out"),
        ('failed', "Failed"),
    ], readonly=True, help="Completed: an end screen was reached. Abandoned: the caller or the network closed "
                           "the session on a screen that waited for input.")
    inputs = fields.Char(readonly=True, help="What the caller typed, *-joined; PINs masked.")
    step_count = fields.Integer("Steps", readonly=True)
    last_screen = fields.Text(readonly=True)
    started_at = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    last_request_at = fields.Datetime(default=fields.Datetime.now, readonly=True, index=True)
    ended_at = fields.Datetime(readonly=True)
    gateway_status = fields.Char(readonly=True, help="Status of the gateway's end-of-session notification.")
    gateway_error = fields.Char(readonly=True)
    cost = fields.Char(readonly=True)
    duration_ms = fields.Integer("Duration (ms)", readonly=True)
    secret_positions = fields.Char(readonly=True, groups='base.group_system',
                                   help="Indexes of the inputs that answered a PIN prompt.")
    accepted_positions = fields.Char(readonly=True, groups='base.group_system',
                                     help="Indexes of the PIN inputs that were accepted.")
    pending_pin_hash = fields.Char(readonly=True, groups='base.group_system', copy=False,
                                   help="Hash of a new PIN until the caller confirms it.")

    _sql_constraints = [
        ('session_ref_uniq', 'unique(service_id, session_ref)', "A gateway session is recorded once per service."),
    ]

    def _ddcpts_inputs(self):
        """The stored history (masked PINs) as a list."""
        return self.inputs.split('*') if self and self.inputs else []

    def _ddcpts_secret_positions(self):
        return _positions(self.sudo().secret_positions) if self else set()

    # ------------------------------------------------------------------
    # Processing of a gateway request
    # ------------------------------------------------------------------

    @api.model
    def _ddcpts_process_request(self, callback):
        """Processor of the USSD route: answer one step of a session (or close it)."""
        request = gateway.parse(callback)
        service = callback._ddcpts_provider_record()
        if request.kind == 'at_end':
            return self._ddcpts_apply_end_notification(service, request, callback)
        if not service.active or request.service_code != service.service_code:
            raise CallbackInputError(
                _("Service code %s is not the code of this service.", request.service_code),
                reply=gateway.reply(request.kind, request.values, _("This service code is not available."), True))
        session = self._ddcpts_find(service, request.session_ref)
        if not session:
            session = self.create(self._ddcpts_session_values(service, request))
        if session.phone != request.phone:
            raise CallbackInputError(_("The session belongs to another number."), reply=gateway.reply(
                request.kind, request.values, _("This session has ended. Please dial again."), True))
        if request.kind == 'mtn_madapi' and request.values['messageType'] not in const.MADAPI_OPEN_TYPES:
            result = session._ddcpts_apply_madapi_closing(request)
        elif session.state != 'active':
            result = self._ddcpts_answer(service, session, request, ussd.Step(
                _("This session has ended. Please dial again."), True, False))
        else:
            history = request.inputs if request.cumulative else session._ddcpts_inputs() + request.inputs
            step = session._ddcpts_navigate(service, history)
            session._ddcpts_record_step(history, step)
            result = self._ddcpts_answer(service, session, request, step)
        # linked last: written with the callback's outcome, in one statement
        callback._ddcpts_link(session, request.session_ref)
        return result

    @api.model
    def _ddcpts_find(self, service, session_ref):
        """The session of a gateway's session id, with what a step reads fetched by the same query."""
        return self.sudo().search_fetch(
            [('service_id', '=', service.id), ('session_ref', '=', session_ref)], SESSION_STEP_FIELDS, limit=1)

    @api.model
    def _ddcpts_session_values(self, service, request):
        return {
            'service_id': service.id,
            'session_ref': request.session_ref,
            'gateway_format': 'africastalking' if request.kind == 'africastalking' else request.kind,
            'phone': request.phone,
            'network_code': request.network_code,
            'company_id': service.company_id.id,
            'partner_id': self._ddcpts_find_partner(request.phone, service.company_id).id,
        }

    @api.model
    def _ddcpts_find_partner(self, phone, company):
        """The contact whose mobile (or phone) is the caller's number, in any local format."""
        # numbers are typed with spaces and dashes: compare their digits (the national number's 9 digits);
        # one query brings each candidate's numbers and the country that reads them (its own, else the company's)
        digits_like = '%' + phone[-9:]
        rows = self.env.execute_query(SQL(
            """SELECT partner.id, partner.mobile, partner.phone,
                      COALESCE(country.code, (SELECT company_country.code
                                                FROM res_company company
                                                JOIN res_partner company_partner
                                                  ON company_partner.id = company.partner_id
                                                JOIN res_country company_country
                                                  ON company_country.id = company_partner.country_id
                                               WHERE company.id = %s))
                 FROM res_partner partner
            LEFT JOIN res_country country ON country.id = partner.country_id
                WHERE partner.active AND (partner.company_id IS NULL OR partner.company_id = %s)
                  AND (regexp_replace(partner.mobile, '\\D', '', 'g') LIKE %s
                       OR regexp_replace(partner.phone, '\\D', '', 'g') LIKE %s)
             ORDER BY partner.id LIMIT 20""", company.id, company.id, digits_like, digits_like))
        for partner_id, mobile, other_phone, country_code in rows:
            for number in (mobile, other_phone):
                try:
                    if number and '+' + normalize_msisdn(number, country_code) == phone:
                        return self.env['res.partner'].browse(partner_id)
                except UserError:  # a badly typed number of another contact is no match
                    continue
        return self.env['res.partner']

    def _ddcpts_navigate(self, service, history):
        """Replay the history through the service's menu; a broken menu ends the session politely."""
        self.ensure_one()
        ctx = UssdContext(service, self, _positions(self.sudo().accepted_positions))
        try:
            with self.env.cr.savepoint():
                step = ussd.navigate(service._ddcpts_ussd_root(ctx), ctx, history)
        except RETRYABLE_DATABASE_ERRORS:
            raise
        except Exception:
            # never the inputs in a log line: they may hold a PIN
            _logger.exception("USSD menu %r of service %s failed on session %s", service.root_menu, service.id,
                              self.id)
            self.outcome = 'failed'
            return ussd.Step(_("Sorry, this service is unavailable. Please try again later."), True, False)
        self.sudo().accepted_positions = _positions_text(ctx.accepted_positions)
        return step

    def _ddcpts_record_step(self, history, step):
        self.ensure_one()
        secret = self._ddcpts_secret_positions()
        if step.secret_next:
            secret.add(len(history))
        values = {
            'inputs': '*'.join(gateway.mask_input(text, index, secret) for index, text in enumerate(history)),
            'step_count': self.step_count + 1,
            'last_screen': step.text,
            'last_request_at': fields.Datetime.now(),
        }
        self.sudo().secret_positions = _positions_text(secret)
        self.write(values)
        if step.final:
            self._ddcpts_close(self.outcome or 'success')

    @api.model
    def _ddcpts_answer(self, service, session, request, step):
        result = {'kind': request.kind, 'reply': gateway.reply(request.kind, request.values, step.text, step.final)}
        if request.kind == 'mtn_madapi':
            result.update(outbound=gateway.madapi_outbound(request, step.text, step.final),
                          service_id=service.id, session_id=session.id)
        return result

    def _ddcpts_close(self, outcome):
        self.filtered(lambda session: session.state == 'active').write({
            'state': 'ended', 'outcome': outcome, 'ended_at': fields.Datetime.now(), 'pending_pin_hash': False,
        })

    @api.model
    def _ddcpts_apply_end_notification(self, service, request, callback):
        """Africa's Talking tells how a session ended: close it with its outcome, cost and duration."""
        session = self._ddcpts_find(service, request.session_ref)
        if not session:
            session = self.create(self._ddcpts_session_values(service, request))
        callback._ddcpts_link(session, request.session_ref)
        values = request.values
        session.write({
            'gateway_status': values['status'],
            'gateway_error': (values.get('errorMessage') or '')[:500] or False,
            'cost': values.get('cost') or False,
            'duration_ms': values.get('durationInMillis') or 0,
        })
        outcome = const.AT_END_STATUS_OUTCOMES[values['status']]
        if session.state == 'ended':
            if outcome != 'success':
                session.outcome = outcome  # the gateway knows better: the last screen may not have arrived
        else:
            session._ddcpts_close(outcome)
        return {'kind': request.kind, 'reply': 'OK'}

    def _ddcpts_apply_madapi_closing(self, request):
        """A MADAPI message that asks for no screen: End, Cancel (``ussdString`` holds the reason) and
        Timeout close the session; a Notification changes nothing. Nothing is sent back."""
        self.ensure_one()
        message_type = request.values['messageType']
        outcome = const.MADAPI_CLOSING_OUTCOMES.get(message_type)
        if outcome and self.state == 'active':
            self.write({'gateway_status': const.MADAPI_MESSAGE_TYPES[message_type],
                        'gateway_error': message_type == const.MADAPI_CANCEL and request.values['ussdString'][:500]
                        or False})
            self._ddcpts_close(outcome)
        return {'kind': request.kind, 'reply': gateway.reply(request.kind, request.values, '', True)}

    # ------------------------------------------------------------------
    # Housekeeping
    # ------------------------------------------------------------------

    @api.model
    def _cron_ddcpts_close_stale(self, limit=1000):
        """Close the sessions the gateway abandoned without notifying (no request for the timeout)."""
        seconds = int(self.env['ir.config_parameter'].sudo().get_param(
            'ddcpts_ussd.session_timeout_seconds', DEFAULT_TIMEOUT_SECONDS))
        silent_since = fields.Datetime.now() - timedelta(seconds=seconds)
        domain = [('state', '=', 'active'), ('last_request_at', '<', silent_since)]
        return process_queue(self, domain, lambda sessions: sessions._ddcpts_close('timeout'), limit=limit, chunk=200,
                             cron_xmlid='ddcpts_ussd.ir_cron_close_stale_sessions')

    @api.autovacuum
    def _gc_ended_sessions(self):
        """Retention: ended sessions are deleted after the configured days (kept that long for audit)."""
        days = int(self.env['ir.config_parameter'].sudo().get_param(
            'ddcpts_ussd.session_retention_days', DEFAULT_RETENTION_DAYS))
        self.sudo().search([
            ('state', '=', 'ended'), ('ended_at', '<', fields.Datetime.now() - timedelta(days=days)),
        ], limit=models.GC_UNLINK_LIMIT).unlink()
