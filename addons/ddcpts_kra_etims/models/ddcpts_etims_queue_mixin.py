from datetime import timedelta

from markupsafe import escape
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools.locking import claim_batch, lock_rows
from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.exceptions import EtimsRejected, EtimsUnavailable


class DdcptsEtimsQueueMixin(models.AbstractModel):
    """A document sent to eTIMS under a number of its branch, through its device's queue.

    KRA wants the numbers of a branch (``invcNo`` of sales, ``sarNo`` of stock movements)
    consecutive, each used once, and reaching it in order (docs/providers/etims.md, "Numbers").
    So, per device and numbering, one document at a time is *in flight*:

    1. the sender locks the numbering's counter (``lock_rows(nowait=True)``): a worker that cannot
       leaves at once, the one holding it sends the documents queued meanwhile as well;
    2. it takes the head of the queue: the document holding a number (sent again with it), else the
       oldest queued one (``claim_batch``); it builds the body, gives the number and marks the
       document in flight until its answer is due (``etims_next_attempt_at``), then commits, so the
       number is never given twice and other workers leave the document alone;
    3. it calls eTIMS without any lock held and stores the answer: signed, refused (the number goes
       back when it is the last one given), or no answer (retried later with the same number).
    """
    _name = 'ddcpts.etims.queue.mixin'
    _description = "Document sent to eTIMS"

    # set by each model: counter kind, number field, the body's name for it, state field, queue order
    _etims_numbering = None
    _etims_number_field = None
    _etims_number_key = None
    _etims_state_field = None
    _etims_queue_order = 'id'

    etims_device_id = fields.Many2one('ddcpts.etims.device', "eTIMS Device", copy=False, readonly=True, index=True)
    etims_error = fields.Text("eTIMS Error", copy=False, readonly=True)
    etims_attempt_count = fields.Integer("eTIMS Attempts", copy=False, readonly=True)
    etims_next_attempt_at = fields.Datetime("Next eTIMS Attempt", copy=False, readonly=True)

    def _etims_write(self, vals):
        """Write eTIMS bookkeeping (as superuser: the user sending may not edit the document otherwise)."""
        return self.sudo().write(vals)

    def _etims_log(self, message):
        """Log what happened with eTIMS in the chatter: a note that notifies no one (cheap in the queue,
        and fine for users without an e-mail address); KRA's messages in it are text, never HTML."""
        self.ensure_one()
        self._message_log(body=escape(message))

    def _etims_is_due(self):
        self.ensure_one()
        return not self.etims_next_attempt_at or self.etims_next_attempt_at <= fields.Datetime.now()

    def _etims_schedule_retry(self, error):
        """Keep the document (and its number) for a later attempt: 1, 2, 5, 10, 30 min, then hourly."""
        attempts = self.etims_attempt_count + 1
        delay = const.QUEUE_RETRY_DELAYS[min(attempts, len(const.QUEUE_RETRY_DELAYS)) - 1]
        self._etims_write({
            'etims_attempt_count': attempts,
            'etims_next_attempt_at': fields.Datetime.now() + timedelta(seconds=delay),
            'etims_error': str(error),
        })

    # ------------------------------------------------------------------
    # Hooks of the documents
    # ------------------------------------------------------------------

    @api.model
    def _etims_queue_domain(self, device):
        """Documents of ``device`` waiting for a number, due now."""
        return [('etims_device_id', '=', device.id), (self._etims_state_field, '=', 'to_send'),
                '|', ('etims_next_attempt_at', '=', False), ('etims_next_attempt_at', '<=', fields.Datetime.now())]

    @api.model
    def _etims_queue_waits(self, device):
        """Whether this queue waits for another one of the device (stock movements wait for sales)."""
        return False

    def _etims_queue_payload(self):
        """The body to send, without its number; registers what KRA must know first (items, customer).

        :raise UserError: the document cannot be sent as it is (EtimsUnavailable: try later)
        """
        raise NotImplementedError

    def _etims_queue_transmit(self, payload):
        """Send the numbered body; return what ``_etims_queue_done`` needs.

        :raise EtimsUnavailable: no answer, retried with the same number
        :raise EtimsRejected: KRA refused it and did not store the number (994 excepted: it has it)
        """
        raise NotImplementedError

    def _etims_queue_done(self, result):
        """KRA holds the document under its number: store what it answered."""
        raise NotImplementedError

    def _etims_queue_duplicate(self):
        """994: KRA already holds this number, from an attempt whose answer was lost."""
        raise NotImplementedError

    def _etims_queue_failed(self, error):
        """The document cannot go as it is and holds no number: someone fixes it and sends it again."""
        raise NotImplementedError

    # ------------------------------------------------------------------
    # Numbered sending
    # ------------------------------------------------------------------

    @api.model
    def _etims_send_next(self, device):
        """Send the head of ``device``'s queue (in a transaction of its own); True when another may follow."""
        counter = device._etims_counter(self._etims_numbering)
        try:
            counter = lock_rows(counter, nowait=True)
        except pg_errors.SerializationFailure:
            counter = counter.browse()  # another sender changed it since this transaction began
        if not counter or self._etims_queue_waits(device):
            return False
        number_field = self._etims_number_field
        holding = self.search([('etims_device_id', '=', device.id), (self._etims_state_field, '=', 'sending')],
                              order=number_field, limit=1)
        if holding:
            # it goes first, with its number; not due: in flight elsewhere, or waiting for its retry
            document = lock_rows(holding, nowait=True) if holding._etims_is_due() else holding.browse()
        else:
            document = claim_batch(self, self._etims_queue_domain(device), limit=1, order=self._etims_queue_order)
        return bool(document) and document._etims_send_numbered(counter)

    def _etims_send_numbered(self, counter):
        """Number this document (under ``counter``'s lock), commit, send it; True when the next may go.

        A connection error keeps the number (the retry sends it again) and holds the queue back,
        since numbers must reach KRA in order.
        """
        self.ensure_one()
        number_field = self._etims_number_field
        try:
            payload = self._etims_queue_payload()
        except EtimsUnavailable as error:
            self._etims_schedule_retry(error)
            return False
        except UserError as error:
            if self[number_field]:
                self._etims_schedule_retry(error)
                return False
            self._etims_queue_failed(error)
            return True
        vals = {'etims_next_attempt_at': fields.Datetime.now() + timedelta(
            seconds=self.etims_device_id.timeout + const.IN_FLIGHT_MARGIN)}
        if not self[number_field]:
            counter.last_number += 1
            vals.update({number_field: counter.last_number, self._etims_state_field: 'sending'})
        self._etims_write(vals)
        self.env.cr.commit()
        payload[self._etims_number_key] = self[number_field]
        try:
            result = self._etims_queue_transmit(payload)
        except EtimsUnavailable as error:
            self._etims_schedule_retry(error)
            return False
        except EtimsRejected as error:
            if error.code == const.DUPLICATE:
                self._etims_queue_duplicate()
                return True
            if self._etims_release_number(counter):
                self._etims_write({number_field: 0})
            self._etims_queue_failed(error)
            return True
        self._etims_queue_done(result)
        return True

    def _etims_release_number(self, counter):
        """Give back a number KRA refused when it is the last one given, so the numbering stays gap-free.

        No other document of the numbering got a number since: this one was in flight.
        """
        counter = lock_rows(counter)
        if counter.last_number != self[self._etims_number_field]:
            return False
        counter.last_number -= 1
        return True
