import hashlib
import ipaddress
import logging
import os
import secrets
import time
from datetime import timedelta

import requests
from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.ddcpts_base.exceptions import ProviderError
from odoo.addons.ddcpts_base.models.ddcpts_secret_mixin import SecretField
from odoo.addons.ddcpts_base.tools import crypto, redaction
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_base.tools.locking import lock_rows
from odoo.addons.ddcpts_base.tools.ordered_sender import OrderedSender, PreparedCall

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30
IDEMPOTENT_METHODS = frozenset({'GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
REQUEST_RETRY_DELAYS = (0.5, 2.0)  # seconds slept before the 2nd and 3rd attempts of an idempotent call
TOKEN_REFRESH_MARGIN = timedelta(seconds=60)
TOKEN_LOCK_ATTEMPTS = 5
DEMO_SIMULATOR_URL = 'http://localhost:8070'


class DdcptsProviderMixin(models.AbstractModel):
    """What every integration with an external provider shares.

    - ``_ddcpts_request``: the one HTTP helper (timeouts, retries of idempotent calls only, a
      ``ddcpts.provider.call`` row per attempt with credentials masked, health status);
    - ``_ddcpts_bearer_token``: access tokens cached per record, refreshed before expiry by one
      worker at a time;
    - the token and IP allowlist protecting the record's callback routes (``controllers/callback.py``);
    - ``_ddcpts_health_check``: the connectivity check each integration implements.
    """
    _name = 'ddcpts.provider.mixin'
    _inherit = ['ddcpts.secret.mixin']
    _description = "Integration with an external provider"

    ddcpts_callback_token = SecretField(
        "Callback Token", help="Unguessable part of the callback URLs given to the provider; generated when needed."
    )
    ddcpts_ip_allowlist = fields.Char(
        "Callback IP Allowlist",
        help="Comma-separated addresses or networks (CIDR) allowed to call this provider's callback routes. "
             "Empty: any address (the URL token still applies).",
    )
    ddcpts_public_url = fields.Char(
        "Public URL for Callbacks",
        help="Address at which the provider reaches this Odoo (https in production). Empty: the web base URL.",
    )

    ddcpts_callback_urls = fields.Json(
        "Callback URLs", compute='_compute_ddcpts_callback_urls', groups='base.group_system',
        help="The addresses at which the provider reports back; each holds this record's secret token.",
    )
    ddcpts_setup_checklist = fields.Json("Setup Checklist", compute='_compute_ddcpts_setup_checklist')

    # ------------------------------------------------------------------
    # To implement by each integration
    # ------------------------------------------------------------------

    def _ddcpts_provider_code(self):
        """Technical code of the integration (``mpesa``, ``africastalking``, …) used in logs."""
        raise NotImplementedError()

    def _ddcpts_callback_urls(self):
        """``[(label, url)]``: the callback URLs to show on the form (built with ``_ddcpts_callback_url``)."""
        return []

    def _ddcpts_setup_steps(self):
        """``[(label, done)]``: what is left before the integration works, shown as a checklist.
        Integrations put their own steps (credentials, URLs registered…) before these."""
        health = self.env['ddcpts.health.status'].sudo().search(
            [('res_model', '=', self._name), ('res_id', '=', self._origin.id)], limit=1)
        return [(_("A test call succeeded (Test Connection)"), health.state == 'ok' and bool(health.last_success_at))]

    def _ddcpts_health_check(self):
        """Make a cheap authenticated call to the provider; raise an exception when it fails."""
        raise UserError(_("No connectivity check is available for %s.", self.display_name))

    def _ddcpts_health_check_records(self):
        """The records the health cron checks (e.g. only enabled providers)."""
        return self.search([])

    # ------------------------------------------------------------------
    # HTTP client
    # ------------------------------------------------------------------

    def _ddcpts_request(self, method, url, *, endpoint, json=None, data=None, params=None, headers=None,
                        auth=None, timeout=DEFAULT_TIMEOUT, idempotent=None, related=None, secret_values=()):
        """Send one HTTP request to the provider and return the ``requests.Response``, whatever its status.

        Only idempotent calls (GET/PUT/DELETE, or ``idempotent=True`` for a POST that only reads) are
        retried, on connection errors, timeouts and 429/5xx answers: resending a payment request
        could pay twice. Every attempt is logged in its own transaction.

        :param str endpoint: short operation name for the log (``stk_push``)
        :param related: the business record the call is about (shown on the log)
        :param secret_values: literal secrets sent in the body, masked in the log
        :raise ProviderError: when no answer came back after the allowed attempts
        """
        self.ensure_one()
        call = self._ddcpts_prepare_request(method, url, endpoint=endpoint, json=json, data=data, params=params,
                                            headers=headers, auth=auth, timeout=timeout, related=related,
                                            secret_values=secret_values)
        if idempotent is None:
            idempotent = call.method in IDEMPOTENT_METHODS
        delays = REQUEST_RETRY_DELAYS if idempotent else ()
        for attempt in range(1, len(delays) + 2):
            response, error, duration_ms = call.send()
            retry = attempt <= len(delays) and (error is not None or response.status_code in RETRYABLE_STATUSES)
            self._ddcpts_log_call(self._ddcpts_attempt_values(call, response, error, duration_ms, attempt=attempt))
            if not retry:
                break
            time.sleep(delays[attempt - 1])
        return self._ddcpts_response(call, response, error)

    def _ddcpts_prepare_request(self, method, url, *, endpoint, json=None, data=None, params=None, headers=None,
                                auth=None, timeout=DEFAULT_TIMEOUT, related=None, secret_values=()):
        """The request ``_ddcpts_request`` sends, with its log values (masked) computed here, so that
        ``PreparedCall.send`` touches no cursor and may run in another thread (``_ddcpts_ordered_sender``)."""
        self.ensure_one()
        log_values = {
            'endpoint': endpoint,
            'method': method.upper(),
            'url': redaction.redact_url(url, params, secrets=secret_values),
            'request_headers': redaction.redact_body(redaction.redact_headers(headers)),
            'request_body': redaction.redact_body(json if json is not None else data, secrets=secret_values),
            'related_model': related._name if related else False,
            'related_id': related.id if related else False,
        }
        kwargs = {'json': json, 'data': data, 'params': params, 'headers': headers, 'auth': auth, 'timeout': timeout}
        return PreparedCall(method.upper(), url, kwargs, log_values, tuple(secret_values))

    def _ddcpts_attempt_values(self, call, response, error, duration_ms, attempt=1):
        """The ``ddcpts.provider.call`` values of one attempt of ``call``."""
        return dict(
            call.log_values,
            attempt=attempt,
            duration_ms=duration_ms,
            status_code=response.status_code if response is not None else 0,
            success=response is not None and response.ok,
            error=str(error) if error is not None else (not response.ok and response.reason) or False,
            response_body=redaction.redact_body(response.content, secrets=call.secret_values)
            if response is not None else '',
        )

    def _ddcpts_response(self, call, response, error):
        """The response of ``call``; :raise ProviderError: when no answer came back."""
        if error is not None:
            if isinstance(error, requests.exceptions.Timeout):
                message = _("%(provider)s did not answer within %(seconds)s seconds.",
                            provider=self.display_name, seconds=call.kwargs['timeout'])
            else:
                message = _("%(provider)s could not be reached: %(error)s", provider=self.display_name, error=error)
            raise ProviderError(message)
        return response

    def _ddcpts_ordered_sender(self, proceed):
        """A background sender of non-idempotent requests, one after the other, in the order given,
        while this thread does the ORM work (see ``tools/ordered_sender.py``).

        :param proceed: ``proceed(response)`` → whether the next request may go after this answer
            (pure: it runs in the sender thread); a request without answer always stops the sending
        """
        self.ensure_one()
        return OrderedSender(self, proceed)

    def _ddcpts_log_call(self, values):
        """Write the call log (and the health status) in a separate, committed transaction."""
        self._ddcpts_log_calls([values])

    def _ddcpts_log_calls(self, values_list):
        """Write the logs of calls that ended together in one separate, committed transaction; the
        health status takes the outcome of the last one."""
        company_id = self._ddcpts_company().id
        for values in values_list:
            values.update(provider=self._ddcpts_provider_code(), res_model=self._name, res_id=self.id,
                          provider_name=self.display_name, company_id=company_id)
        with self.env.registry.cursor() as cr:
            # alive until the commit, which flushes it; its company is the call's (no lookup of the user)
            context = {'allowed_company_ids': [company_id]} if company_id else {}
            env = api.Environment(cr, SUPERUSER_ID, context)
            env['ddcpts.provider.call'].create(values_list)
        last = values_list[-1]
        error = last.get('error') or self.env._("HTTP %s", last['status_code'])
        self.env['ddcpts.health.status']._ddcpts_record_result(self, success=last['success'], error=error)

    def _ddcpts_company(self):
        return self['company_id'] if 'company_id' in self._fields else self.env['res.company']

    # ------------------------------------------------------------------
    # Access tokens
    # ------------------------------------------------------------------

    def _ddcpts_bearer_token(self, fetch_token, scope='default'):
        """Return a valid access token, calling ``fetch_token()`` only when the cached one expires soon.

        ``fetch_token`` returns ``(token, expires_in_seconds)``. The cache row is locked while the
        token is refreshed: concurrent workers wait and then reuse the new token. All of it runs in
        its own transaction, committed at once, so that the lock is held for the refresh only.
        """
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})  # alive until the commit, which flushes it
            for attempt in range(TOKEN_LOCK_ATTEMPTS):
                try:
                    cached = env['ddcpts.provider.token']._ddcpts_lock_cache_row(self._name, self.id, scope)
                    break
                except pg_errors.SerializationFailure:
                    # another worker created or refreshed the row meanwhile: look again with a fresh snapshot
                    cr.rollback()
                    if attempt == TOKEN_LOCK_ATTEMPTS - 1:
                        raise
            if cached.ciphertext and cached.expires_at \
                    and cached.expires_at - TOKEN_REFRESH_MARGIN > fields.Datetime.now():
                return crypto.decrypt(cached.ciphertext)
            token, expires_in = fetch_token()
            cached.write({'ciphertext': crypto.encrypt(token),
                          'expires_at': fields.Datetime.now() + timedelta(seconds=int(float(expires_in)))})
        return token

    def _ddcpts_bearer_request(self, method, url, fetch_token, *, scope='default', token_rejected=None,
                               headers=None, **kwargs):
        """``_ddcpts_request`` with ``Authorization: Bearer <cached token>``; a token the provider rejects
        (``token_rejected(response)``, default: HTTP 401) is renewed and the call sent once more.

        Safe for payment requests too: the gateway refused the call before anything was done. The
        cache is only cleared while it still holds the rejected token (see ``_ddcpts_invalidate_token``).
        """
        self.ensure_one()
        token_rejected = token_rejected or (lambda response: response.status_code == 401)
        for attempt in (1, 2):
            token = self._ddcpts_bearer_token(fetch_token, scope=scope)
            response = self._ddcpts_request(
                method, url, headers={**(headers or {}), 'Authorization': f'Bearer {token}'}, **kwargs)
            if attempt == 1 and token_rejected(response):
                self._ddcpts_invalidate_token(scope=scope, rejected_token=token)
                continue
            return response

    def _ddcpts_invalidate_token(self, scope='default', rejected_token=None):
        """Forget the cached token (the provider rejected it): the next call fetches a new one.

        With ``rejected_token`` the cache is only cleared while it still holds that token: when
        another worker has cached a newer one meanwhile, fetching yet another token could revoke it
        under that worker's feet (some providers keep only the newest token valid).
        """
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cached = lock_rows(env['ddcpts.provider.token']._ddcpts_cache_row(self._name, self.id, scope))
            if not cached or (rejected_token is not None and cached.ciphertext
                              and crypto.decrypt(cached.ciphertext) != rejected_token):
                return
            cached.expires_at = False

    # ------------------------------------------------------------------
    # Setup shown on the form (widgets ddcpts_callback_urls and ddcpts_checklist)
    # ------------------------------------------------------------------

    def _compute_ddcpts_callback_urls(self):
        for record in self:
            # the token is made when first needed: only for saved records
            urls = record._origin._ddcpts_callback_urls() if record._origin.id else []
            record.ddcpts_callback_urls = [{'label': label, 'url': url} for label, url in urls]

    def _compute_ddcpts_setup_checklist(self):
        for record in self:
            record.ddcpts_setup_checklist = [{'label': label, 'done': bool(done)}
                                             for label, done in record._ddcpts_setup_steps()]

    # ------------------------------------------------------------------
    # Callback routes
    # ------------------------------------------------------------------

    def _ddcpts_get_callback_token(self):
        """Return the URL token of this record's callback routes, generating it on first use.

        Two workers may show a new record's callback URL at once: the token row is inserted with
        ``ON CONFLICT DO NOTHING`` on the secret's unique key, so only one token is ever stored. The
        worker that lost the race gets a serialization failure (the winner's row is not in its
        snapshot), and Odoo runs its request again, which then reads the winner's token.
        """
        self.ensure_one()
        token = self.sudo()._ddcpts_secret('ddcpts_callback_token')
        if token:
            return token
        Secret = self.env['ddcpts.secret'].sudo()
        Secret.flush_model()
        self.env.cr.execute(SQL(
            """INSERT INTO ddcpts_secret (res_model, res_id, field_name, ciphertext) VALUES (%s, %s, %s, %s)
               ON CONFLICT (res_model, res_id, field_name) DO NOTHING""",
            self._name, self.id, 'ddcpts_callback_token', crypto.encrypt(secrets.token_urlsafe(32)),
        ))
        Secret.invalidate_model()
        self.env.registry.clear_cache()  # the token digests cached by the workers
        return self.sudo()._ddcpts_secret('ddcpts_callback_token')

    def _ddcpts_callback_url(self, route_prefix, event):
        """Full URL of a callback route ``<route_prefix>/<record id>/<token>/<event>``."""
        base_url = (self.ddcpts_public_url or self.get_base_url()).rstrip('/')
        return f'{base_url}{route_prefix}/{self.id}/{self._ddcpts_get_callback_token()}/{event}'

    def _ddcpts_callback_body_for_storage(self, body):
        """The callback body as stored in ``ddcpts.callback``: integrations mask what must never be
        stored or logged (a PIN typed by a caller). Called on the route's record, or on an empty
        recordset when the URL names none; the processor still reads the body as received."""
        return body

    def _ddcpts_callback_reprocess_refusal(self, callback):
        """Why ``callback`` must not be processed again after the request that carried it (a sentence),
        or None; a refused callback's form hides its Reprocess button. A USSD step, for one, was
        answered to a caller who has gone since, and its stored body has the PIN masked."""
        return None

    def _ddcpts_check_callback_token(self, token):
        expected = self._ddcpts_callback_token_digest(self._name, self.id)
        given = hashlib.sha256((token or '').encode()).hexdigest()
        return bool(expected) and secrets.compare_digest(expected, given)

    @api.model
    @tools.ormcache('model_name', 'record_id')
    def _ddcpts_callback_token_digest(self, model_name, record_id):
        """SHA-256 of a record's callback token, cached by each worker so that checking the token of
        a callback costs no query. The clear token is never cached; storing a secret clears the
        cache of every worker (``ddcpts.secret.mixin``)."""
        token = self.env[model_name].browse(record_id).sudo()._ddcpts_secret('ddcpts_callback_token')
        return hashlib.sha256(token.encode()).hexdigest() if token else None

    def _ddcpts_ip_allowed(self, address):
        networks = [entry.strip() for entry in (self.ddcpts_ip_allowlist or '').split(',') if entry.strip()]
        if not networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)

    @api.constrains('ddcpts_ip_allowlist')
    def _check_ddcpts_ip_allowlist(self):
        for record in self:
            for entry in (record.ddcpts_ip_allowlist or '').split(','):
                if entry.strip():
                    try:
                        ipaddress.ip_network(entry.strip(), strict=False)
                    except ValueError as error:
                        raise ValidationError(_(
                            "%s is not an IP address or network (e.g. 196.201.214.200 or 196.201.214.0/24).",
                            entry.strip(),
                        )) from error

    # ------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------

    @api.model
    def _ddcpts_demo_use_simulator(self, res_id, field_name, path=''):
        """Demo data: point a demo record at the provider simulator of this run (``DDCPTS_SANDBOX_URL``,
        set by ``make run`` and ``make test`` whatever its port), else at its default address."""
        url = (os.environ.get('DDCPTS_SANDBOX_URL') or DEMO_SIMULATOR_URL).rstrip('/')
        self.browse(res_id).write({field_name: url + path})

    # ------------------------------------------------------------------
    # Health
    # ------------------------------------------------------------------

    def action_ddcpts_check_health(self):
        """Button: run the connectivity check now and tell the user the outcome."""
        self.ensure_one()
        success, message = self._ddcpts_run_health_check()
        # reloaded: the form's setup checklist shows the outcome
        return notification(message, _("Connection to %s", self.display_name), kind='success' if success else 'danger',
                            sticky=not success, reload=True)

    def _ddcpts_run_health_check(self):
        """Run the check, record its outcome on the health status, return ``(success, message)``."""
        self.ensure_one()
        try:
            self._ddcpts_health_check()
        except Exception as error:
            _logger.info("Health check of %s failed: %s", self.display_name, error)
            self.env['ddcpts.health.status']._ddcpts_record_result(self, success=False, error=str(error), check=True)
            return False, str(error)
        self.env['ddcpts.health.status']._ddcpts_record_result(self, success=True, check=True)
        return True, _("The connection works.")
