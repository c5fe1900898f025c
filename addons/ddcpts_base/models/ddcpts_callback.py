import json
import logging
from datetime import timedelta
from urllib.parse import parse_qsl

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.exceptions import RETRYABLE_DATABASE_ERRORS, CallbackDeferred, CallbackInputError
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_base.tools.display import pretty_json
from odoo.addons.ddcpts_base.tools.locking import process_queue
from odoo.addons.ddcpts_base.tools.orm import browse_existing

_logger = logging.getLogger(__name__)

CONTENT_TYPES = [('json', "JSON"), ('form', "Form"), ('raw', "Raw")]
DEFERRED_GRACE = timedelta(minutes=1)  # a callback still "received" after this was deferred or interrupted


class DdcptsCallback(models.Model):
    """Every request a provider made to a callback route, stored raw before it is processed.

    The raw row is committed in its own transaction before processing starts, so nothing a provider
    sent is lost by a crash or a rollback; processing then runs in another transaction and records
    its outcome here. A failed callback can be processed again with one button.
    """
    _name = 'ddcpts.callback'
    _inherit = ['ddcpts.related.mixin']
    _description = "Provider callback"
    _order = 'id desc'
    _rec_name = 'route'

    provider = fields.Char(required=True, index=True, readonly=True)
    route = fields.Char(required=True, readonly=True, help="Path called, the URL token masked.")
    method = fields.Char("HTTP Method", readonly=True)
    source_ip = fields.Char("Source IP", readonly=True)
    headers = fields.Text(readonly=True, help="The request headers that matter (JSON).")
    content_type = fields.Selection(CONTENT_TYPES, required=True, default='json', readonly=True)
    body = fields.Text(readonly=True)
    body_display = fields.Text("Body (formatted)", compute='_compute_display')
    headers_display = fields.Text("Headers (formatted)", compute='_compute_display')
    received_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True, readonly=True)
    state = fields.Selection([
        ('received', "Received"),
        ('processed', "Processed"),
        ('duplicate', "Duplicate"),
        ('failed', "Failed"),
        ('rejected', "Rejected"),
    ], required=True, default='received', index=True, readonly=True,
        help="Rejected: refused before processing (wrong token, address not allowed, body too large).")
    error = fields.Text(readonly=True)
    response_status = fields.Integer("Answered HTTP Status", readonly=True, aggregator=None)
    processed_at = fields.Datetime(readonly=True)
    attempt_count = fields.Integer("Processing Attempts", readonly=True, aggregator=None)
    reference = fields.Char(index=True, readonly=True, help="The provider's reference of the event, once known.")
    provider_model = fields.Char(readonly=True)
    provider_res_id = fields.Many2oneReference("Provider Record", model_field='provider_model', readonly=True,
                                              aggregator=None)
    processor = fields.Char(readonly=True, help="model.method that processes this callback.")
    company_id = fields.Many2one('res.company', index=True, readonly=True)
    can_reprocess = fields.Boolean(compute='_compute_can_reprocess',
                                   help="Received or failed, and its provider lets it be processed again.")

    @api.depends('body', 'headers')
    def _compute_display(self):
        for callback in self:
            callback.body_display = pretty_json(callback.body)
            callback.headers_display = pretty_json(callback.headers)

    # ------------------------------------------------------------------
    # Storage
    # ------------------------------------------------------------------

    @api.model
    def _ddcpts_store(self, values):
        """Create the callback row and commit it at once; return its id.

        The caller's transaction must hold nothing else (the callback route's has only read the
        provider record): the row is then committed on its own, before any processing.
        """
        # the callback's company is the environment's, so its defaults need no lookup of the user
        context = {'allowed_company_ids': [values['company_id']]} if values.get('company_id') else {}
        # the record keeps its environment alive until the commit: a cursor flushes live environments only
        callback = self.env(user=SUPERUSER_ID, context=context)['ddcpts.callback'].create(values)
        self.env.cr.commit()
        return callback.id

    def _ddcpts_remember_stored(self, values):
        """Put in the cache the row ``_ddcpts_store`` has just committed with ``values`` (plus the
        defaults of a new callback; the commit emptied the cache), so that processing it does not
        read it back."""
        self.ensure_one()
        defaults = {'state': 'received', 'attempt_count': 0, 'error': False, 'reference': False,
                    'related_model': False, 'related_id': False}
        for name, value in {**defaults, **values}.items():
            field = self._fields[name]
            self.env.cache.update(self, field, [field.convert_to_cache(value, self)])

    # ------------------------------------------------------------------
    # Helpers for processors
    # ------------------------------------------------------------------

    def _ddcpts_payload(self, schema=None):
        """The body parsed according to its content type (a dict for JSON objects and forms).

        :param schema: a ``tools.schema`` field (usually an ``Object``): the payload is checked
            against it and only its cleaned values are returned
        :raise CallbackInputError: when the body is not what the route expects
        """
        self.ensure_one()
        body = self._ddcpts_unredacted_body()
        if self.content_type == 'form':
            payload = dict(parse_qsl(body, keep_blank_values=True))
        elif self.content_type == 'raw':
            payload = body
        else:
            try:
                payload = json.loads(body)
            except (ValueError, RecursionError) as error:  # RecursionError: absurdly deep nesting
                raise CallbackInputError(_("The body is not valid JSON.")) from error
            if not isinstance(payload, dict):
                raise CallbackInputError(_("The body must be a JSON object."))
        return schema.validate(payload) if schema is not None else payload

    def _ddcpts_unredacted_body(self):
        """The body as received: the stored one, or the unmasked one the route holds in memory while it
        processes this callback (see ``ddcpts.provider.mixin._ddcpts_callback_body_for_storage``)."""
        callback_id, body = self.env.context.get('ddcpts_unredacted_body') or (None, None)
        return body if callback_id == self.id else (self.body or '')

    def _ddcpts_provider_record(self):
        self.ensure_one()
        model = self.env[self.provider_model].sudo()
        provider = model.browse(self.provider_res_id)
        if provider and next(self.env.cache.get_fields(provider), None):
            return provider  # in the cache, as the callback route authenticated the callback with it
        return browse_existing(model, self.provider_res_id)

    def _ddcpts_headers(self):
        self.ensure_one()
        return json.loads(self.headers or '{}')

    def _ddcpts_link(self, record, reference=None):
        """Remember which business document (and provider reference) this callback was about."""
        self.ensure_one()
        values = {'related_model': record._name, 'related_id': record.id}
        if reference:
            values['reference'] = reference
        self.write(values)

    def _ddcpts_mark_duplicate(self, reference=None):
        """A processor calls this when the event was already applied: nothing else changes."""
        self.ensure_one()
        self.write({'state': 'duplicate', **({'reference': reference} if reference else {})})

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------

    def _ddcpts_process(self, own_transaction=False):
        """Run the processor of this callback and record the outcome.

        When the processor fails, its changes are undone but the failure is recorded (and this
        transaction still commits): the processor runs in a savepoint, or, with ``own_transaction``
        (the transaction serves this callback only, as in ``callback_route``), the transaction is
        rolled back before the failure is written, which saves the savepoint's statements and lets
        the processor's writes and the outcome go out in one flush. Concurrency errors are raised
        again so that the caller retries in a new transaction, where the concurrent change is
        visible (a unique key inserted concurrently counts as such: on retry the processor finds
        the row and sees a duplicate).

        A processor that would have to wait for a row held by a long transaction raises
        ``CallbackDeferred``: the callback stays "received" (and is acknowledged) until
        ``_cron_process_received`` runs it again.

        :return: ``(state, result)`` where result is what the processor returned, or the error
        """
        self.ensure_one()
        refusal = not own_transaction and self._ddcpts_reprocess_refusal()
        if refusal:
            _logger.info("Callback %s (%s) not processed again: %s", self.id, self.route, refusal)
            self.write({'state': 'failed', 'error': refusal})
            return 'failed', UserError(refusal)
        model_name, method_name = self.processor.rsplit('.', 1)
        # written with the outcome (one UPDATE): a retried conflict rolls the whole attempt back anyway
        attempts = self.attempt_count + 1
        try:
            if own_transaction:
                result = self._ddcpts_run_processor(model_name, method_name, attempts)
            else:
                with self.env.cr.savepoint():
                    result = self._ddcpts_run_processor(model_name, method_name, attempts)
        except RETRYABLE_DATABASE_ERRORS:
            raise
        except CallbackDeferred as reason:
            if own_transaction:
                self.env.cr.rollback()
            _logger.info("Callback %s (%s) deferred: %s", self.id, self.route, reason)
            self.write({'error': str(reason), 'response_status': 200, 'attempt_count': attempts})
            self.env.ref('ddcpts_base.ir_cron_process_received_callbacks')._trigger(
                at=fields.Datetime.now() + DEFERRED_GRACE)
            return 'received', None
        except Exception as error:  # recorded on the callback, answered 4xx or 500
            if own_transaction:
                self.env.cr.rollback()
            if isinstance(error, CallbackInputError):
                _logger.warning("Callback %s (%s) refused: %s", self.id, self.route, error)
                values = {'error': str(error), 'response_status': error.status}
            else:
                _logger.exception("Callback %s (%s) could not be processed", self.id, self.route)
                values = {'error': f'{type(error).__name__}: {error}', 'response_status': 500}
            self.write({'state': 'failed', 'attempt_count': attempts, **values})
            return 'failed', error
        return self.state, result

    def _ddcpts_run_processor(self, model_name, method_name, attempts):
        # ddcpts_in_callback: what can wait is left to post-processing (payment.transaction._log_received_message)
        result = getattr(self.env[model_name].sudo().with_context(ddcpts_in_callback=True), method_name)(self)
        values = {'processed_at': fields.Datetime.now(), 'error': False, 'response_status': 200,
                  'attempt_count': attempts}
        if self.state != 'duplicate':
            values['state'] = 'processed'
        self.write(values)
        self.env.flush_all()  # constraint errors of the processor's writes surface here, as failures
        return result

    def action_reprocess(self):
        """Button: process again callbacks that failed or were never processed."""
        self.check_access('read')
        if any(callback.state not in ('received', 'failed') for callback in self):
            raise UserError(_("Only received or failed callbacks can be processed again."))
        refusals = [f'{callback.route}: {refusal}' for callback in self.sudo()
                    if (refusal := callback._ddcpts_reprocess_refusal())]
        if refusals:
            raise UserError('\n'.join(refusals))
        failures = []
        for callback in self.sudo():
            state, result = callback._ddcpts_process()
            if state == 'failed':
                failures.append(f'{callback.route}: {result}')
        if failures:
            return notification('\n'.join(failures), _("Processing failed again"), kind='danger', sticky=True,
                                reload=True)
        return notification(_("%s callback(s) processed.", len(self)), reload=True)

    @api.depends('state', 'body', 'provider_model', 'provider_res_id')
    def _compute_can_reprocess(self):
        """Shows the Reprocess button only where it can work (``_ddcpts_reprocess_refusal``)."""
        for callback in self:
            callback.can_reprocess = (callback.state in ('received', 'failed')
                                      and not callback._ddcpts_reprocess_refusal())

    def _ddcpts_reprocess_refusal(self):
        """Why the provider forbids processing this callback outside its request, or None."""
        provider = self._ddcpts_provider_record() if self.provider_model in self.env else None
        return provider._ddcpts_callback_reprocess_refusal(self) if provider else None

    @api.model
    def _cron_process_received(self, limit=200):
        """Process the callbacks left "received": deferred behind a lock, or cut off by a worker's end."""
        domain = [('state', '=', 'received'), ('received_at', '<', fields.Datetime.now() - DEFERRED_GRACE)]
        process_queue(self, domain, lambda callbacks: callbacks._process_claimed(), limit=limit,
                      cron_xmlid='ddcpts_base.ir_cron_process_received_callbacks')

    def _process_claimed(self):
        for callback in self:
            try:
                with self.env.cr.savepoint():
                    callback._ddcpts_process()
            except RETRYABLE_DATABASE_ERRORS as error:
                _logger.info("Callback %s still conflicting, processed again later: %s", callback.id, error)

    @api.autovacuum
    def _gc_old_callbacks(self):
        """Retention: processed, duplicate and rejected callbacks are deleted after the configured days.

        Failed and unprocessed callbacks are kept until someone deals with them.
        """
        days = int(self.env['ir.config_parameter'].sudo().get_param('ddcpts_base.callback_retention_days', 90))
        self.sudo().search([
            ('state', 'in', ('processed', 'duplicate', 'rejected')),
            ('received_at', '<', fields.Datetime.now() - timedelta(days=days)),
        ], limit=models.GC_UNLINK_LIMIT).unlink()
