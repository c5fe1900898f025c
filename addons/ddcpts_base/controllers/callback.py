"""One decorator gives every provider callback route the rules of docs/architecture.md "Callbacks"::

    class DarajaController(http.Controller):

        @callback_route('/ddcpts/daraja/<int:record_id>/<string:token>/stk',
                        provider_model='payment.provider',
                        processor='payment.transaction._mpesa_process_stk_callback')
        def daraja_stk_callback(self, result):
            return {'ResultCode': 0, 'ResultDesc': 'Accepted'}

For each request the decorator:

1. checks the URL token of the provider record (constant-time) and its optional IP allowlist;
2. stores the raw request in ``ddcpts.callback`` and commits it at once (refused ones too, with state
   "rejected"), masked by the provider model where it must be (``_ddcpts_callback_body_for_storage``:
   a PIN typed on USSD);
3. runs the processor (a model method receiving the callback record) in a new transaction, retried
   on concurrency errors; bad input (``CallbackInputError``) is answered 4xx (or with its ``reply``),
   any other failure 500, both recorded on the stored callback, which can be processed again later;
4. calls the decorated function with the processor's result to build the provider's acknowledgement
   (a dict is sent as JSON, a string as text/plain).

All of it runs on the request's cursor, one transaction after the other: the request's transaction
has only read the provider record when it stores the callback and commits, so the stored row is
committed on its own before processing starts, as with a separate cursor, without borrowing two more
connections (each costs round trips to reset it, begin and commit) for every callback.
"""
import json
import logging
import random
import time

from odoo import SUPERUSER_ID, api, http
from odoo.http import request
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE

from odoo.addons.ddcpts_base.exceptions import RETRYABLE_DATABASE_ERRORS, CallbackInputError
from odoo.addons.ddcpts_base.tools.orm import browse_existing, cache_restore, cache_snapshot

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
KEPT_HEADERS = ('Content-Type', 'Content-Length', 'User-Agent', 'X-Forwarded-For', 'X-Real-IP')


def callback_route(route, *, provider_model, processor, content_type='json', methods=('POST',),
                   max_body_bytes=MAX_BODY_BYTES, kept_headers=()):
    """Declare a provider callback route; see the module docstring.

    :param str route: werkzeug route containing ``<int:record_id>`` and ``<string:token>``
    :param str provider_model: model of the provider record (inheriting ``ddcpts.provider.mixin``)
    :param str processor: ``'model.method'`` called with the stored ``ddcpts.callback`` record
    :param str content_type: ``json``, ``form`` or ``raw``: how the processor will parse the body;
        ``auto``: ``json`` when the request says ``application/json``, else ``form`` (gateways that
        post either, e.g. USSD)
    :param kept_headers: header names stored with the callback besides the usual ones
    """
    def decorator(acknowledge):
        @http.route(route, type='http', auth='public', methods=list(methods), csrf=False, save_session=False,
                    max_content_length=max_body_bytes,
                    ddcpts_callback={'provider_model': provider_model, 'processor': processor,
                                     'content_type': content_type})
        def endpoint(self, record_id, token, **_params):
            callback_values = request_values(
                provider_model, record_id, token, processor, content_type, KEPT_HEADERS + tuple(kept_headers),
            )
            provider = browse_existing(request.env[provider_model].sudo(), _valid_id(record_id))
            # what must never be stored (e.g. a PIN typed on USSD) is masked; the processor still reads it
            unredacted = callback_values['body']
            callback_values['body'] = provider._ddcpts_callback_body_for_storage(unredacted)
            refusal = _refusal(provider, token)
            if refusal:
                return reject(callback_values, refusal)
            callback_values.update(provider=provider._ddcpts_provider_code(),
                                   company_id=provider._ddcpts_company().id)
            provider_values = cache_snapshot(provider)  # the store's commit empties the cache
            callback_id = request.env['ddcpts.callback']._ddcpts_store(callback_values)
            state, result = _process(callback_id, callback_values, provider_values,
                                     unredacted if unredacted != callback_values['body'] else None)
            if state == 'failed' and getattr(result, 'reply', None) is not None:
                return _as_response(result.reply)
            if state == 'failed':
                status = result.status if isinstance(result, CallbackInputError) else 500
                message = str(result) if status < 500 else "The callback was stored but could not be processed."
                return request.make_json_response({'error': message}, status=status)
            return _as_response(acknowledge(self, result))
        # not functools.wraps: Odoo passes the route's parameters by the signature of __wrapped__
        endpoint.__name__, endpoint.__doc__ = acknowledge.__name__, acknowledge.__doc__
        return endpoint
    return decorator


def request_values(provider_model, record_id, token, processor, content_type, kept_headers=KEPT_HEADERS, body=True):
    """What is stored of the current request (``body=False`` when it must not be read)."""
    httprequest = request.httprequest
    return {
        'provider': provider_model,
        'route': httprequest.path.replace(token, '***') if token else httprequest.path,
        'method': httprequest.method,
        'source_ip': httprequest.remote_addr,
        'headers': json.dumps({name: httprequest.headers[name] for name in kept_headers
                               if name in httprequest.headers}),
        'content_type': _resolve_content_type(content_type, httprequest),
        # PostgreSQL text holds no NUL character: a body carrying one must still be stored, then refused
        'body': httprequest.get_data(cache=True).decode('utf-8', errors='replace').replace('\x00', '\ufffd')
        if body else '',
        'provider_model': provider_model,
        'provider_res_id': _valid_id(record_id),
        'processor': processor,
    }


def _resolve_content_type(content_type, httprequest):
    if content_type != 'auto':
        return content_type
    return 'json' if httprequest.mimetype == 'application/json' else 'form'


def _valid_id(record_id):
    """``record_id`` when it can be a database id (the URL may hold any number), else False."""
    return record_id if isinstance(record_id, int) and 0 < record_id < 2 ** 31 else False


def _refusal(provider, token):
    if not provider or not provider._ddcpts_check_callback_token(token):
        return "Invalid callback token."
    if not provider._ddcpts_ip_allowed(request.httprequest.remote_addr):
        return f"Source address {request.httprequest.remote_addr} is not in the allowlist."
    return None


def reject(callback_values, reason, status=403):
    _logger.warning("Callback refused on %s from %s: %s",
                    callback_values['route'], callback_values['source_ip'], reason)
    request.env['ddcpts.callback']._ddcpts_store(
        dict(callback_values, state='rejected', error=reason, response_status=status)
    )
    return request.make_json_response({'error': "Forbidden" if status == 403 else reason}, status=status)


def _process(callback_id, stored_values, provider_values, unredacted_body=None):
    """Process the stored callback in a new transaction of the request's cursor, committed at the end.

    :param dict stored_values: what was just stored: the processor starts from it instead of
        reading the row again
    :param dict provider_values: the provider record as the callback was authenticated with
        (``cache_snapshot``), which the processor starts from likewise
    :param unredacted_body: the body as received when the stored one was masked (read by
        ``ddcpts.callback._ddcpts_payload``, kept in memory only)
    """
    cr = request.env.cr
    # the request's language, as core's webhook controllers have when they process in request.env
    # (without one, formatting an amount reads the superuser, its company and its partner)
    context = {'lang': request.env.lang}
    if unredacted_body is not None:
        context['ddcpts_unredacted_body'] = (callback_id, unredacted_body)
    for attempt in range(1, MAX_TRIES_ON_CONCURRENCY_FAILURE + 1):
        try:
            env = api.Environment(cr, SUPERUSER_ID, context)
            callback = env['ddcpts.callback'].browse(callback_id)
            callback._ddcpts_remember_stored(stored_values)
            cache_restore(env[stored_values['provider_model']].browse(stored_values['provider_res_id']),
                          provider_values)
            outcome = callback._ddcpts_process(own_transaction=True)
            cr.commit()
            return outcome
        except RETRYABLE_DATABASE_ERRORS as error:
            cr.rollback()
            conflict = error
            if attempt < MAX_TRIES_ON_CONCURRENCY_FAILURE:
                time.sleep(random.uniform(0.0, 0.1 * 2 ** attempt))
    _logger.warning("Callback %s still conflicting after %s attempts", callback_id, MAX_TRIES_ON_CONCURRENCY_FAILURE)
    env = api.Environment(cr, SUPERUSER_ID, {})
    env['ddcpts.callback'].browse(callback_id).write({
        'state': 'failed', 'error': f'Concurrent update: {conflict}', 'response_status': 503,
    })
    cr.commit()
    return 'failed', CallbackInputError("Busy, try again later.", status=503)


def _as_response(acknowledgement):
    if isinstance(acknowledgement, (dict, list)):
        return request.make_json_response(acknowledgement)
    if isinstance(acknowledgement, str):
        return request.make_response(acknowledgement, headers=[('Content-Type', 'text/plain; charset=utf-8')])
    return acknowledgement
