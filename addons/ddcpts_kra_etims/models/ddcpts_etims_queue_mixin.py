from datetime import timedelta

from markupsafe import escape
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools.locking import claim_batch, lock_rows
from odoo.addons.ddcpts_base.tools.ordered_sender import SKIPPED
from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.exceptions import EtimsRejected, EtimsUnavailable
from odoo.addons.ddcpts_kra_etims.models.ddcpts_etims_device import holds_number


class SendingRun:
    """What one sender knows of the documents it numbered and sent in one run."""

    def __init__(self):
        self.in_flight = set()  # ids given to the sender thread, their answer not stored yet
        self.numbered = set()  # ids numbered by this run (never sent before it)
        self.unsent = []  # documents the sender thread did not send (it stopped first)
        self.refused = None  # the document KRA refused, which stopped the run
        self.held = False  # a document waits for its retry: the queue waits behind it
        self.open = True  # more documents may be taken
        self.again = False  # the run stopped, but the queue may go on at once (after a refusal)
        self.taken = 0


class DdcptsEtimsQueueMixin(models.AbstractModel):
    """A document sent to eTIMS under a number of its branch, through its device's queue.

    KRA wants the numbers of a branch (``invcNo`` of sales, ``sarNo`` of stock movements)
    consecutive, each used once, and reaching it in order (docs/providers/etims.md, "Numbers"):
    one request per branch and numbering is on the wire at a time, in number order. What is
    overlapped is Odoo's work: while a background thread waits for KRA's answer to one document,
    this thread numbers and builds the next ones and stores the previous answers. A run:

    1. locks the numbering's counter (``lock_rows(nowait=True)``): a worker that cannot, or that
       finds a document of the numbering in flight (held by another run), leaves at once; the run
       holding it takes what was queued meanwhile as well;
    2. takes the head of the queue: the documents holding a number (sent again with it, in number
       order), then the oldest queued ones (``claim_batch``), at most ``SEND_AHEAD`` ahead of the
       answers; builds their bodies, gives the numbers and marks them in flight until their answers
       are due (``etims_next_attempt_at``), then commits, so a number is never given twice and other
       workers leave the documents alone;
    3. hands the numbered requests to the sender thread (``_ddcpts_ordered_sender``: HTTP only, the
       call log and every write stay in this thread), which sends them one after the other and stops
       at the first answer that leaves KRA without the number (no answer, or a refusal);
    4. stores each answer in order: signed (or 994: KRA had it), refused, or no answer (retried
       later with the same number, holding the queue back); takes more (step 2) as answers come,
       and every ``SEND_POLL`` while it waits with few documents ahead (the first one goes alone);
    5. at the end gives back the numbers the thread never sent and the refused one, when they are
       the last ones given, so the numbering stays gap-free; numbers it cannot give back stay with
       their documents, which go first next time.

    A worker killed mid-run leaves its documents in flight with their numbers: after their due time
    they are sent again, in number order, with the same numbers (KRA answers 994 for those it has).
    """
    _name = 'ddcpts.etims.queue.mixin'
    _description = "Document sent to eTIMS"

    # set by each model: counter kind, number field, the body's name for it, state field, queue order,
    # the OSCU endpoint of the numbered request
    _etims_numbering = None
    _etims_number_field = None
    _etims_number_key = None
    _etims_state_field = None
    _etims_queue_order = 'id'
    _etims_endpoint = None

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

    def _etims_queue_after(self):
        """Documents KRA must hold before this one's body can be built (a credit note's invoice)."""
        return self.browse()

    def _etims_queue_done(self, result):
        """KRA holds the document under its number: store what it answered (the envelope's ``data``)."""
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
    def _etims_send_queue(self, device):
        """One run over ``device``'s queue (see the class); True when the queue may go on at once."""
        if self._etims_queue_waits(device) or self._etims_head_waits(device):
            return False  # checked again under the counter's lock; the usual case of a posting, made cheap
        counter = device._etims_counter(self._etims_numbering)
        run = SendingRun()
        sender = device._ddcpts_ordered_sender(holds_number)
        headers = None  # read once per run (the key is a secret, decrypted)
        try:
            while True:
                if run.open and sender.pending <= const.SEND_AHEAD // 2:
                    # the answers stored so far are committed: a new snapshot sees what was queued meanwhile
                    self.env.cr.commit()
                    # the first document goes alone, so the wire is busy while the next ones are built
                    room = const.SEND_AHEAD - sender.pending if sender.pending else 1
                    taken = self._etims_take(device, counter, run, room, busy=bool(sender.pending))
                    self.env.cr.commit()  # the numbers are kept before any of them is sent
                    send_by = device._etims_send_by()
                    for document, payload in taken:
                        headers = headers or device._etims_headers()
                        sender.send(document.id, device._etims_prepare_call(
                            self._etims_endpoint, payload, related=document, device_headers=headers), send_by)
                    if run.open and (len(taken) == room or not taken and not sender.pending):
                        continue  # more may be queued; or what it took could not be sent as it is
                if not sender.pending:
                    break
                if not sender.ready():
                    self.env.cr.commit()  # the answers stored so far, before waiting for the next one
                # with few documents ahead, look for newly queued ones now and then while waiting, so
                # the next one is built while this one is on the wire
                poll = const.SEND_POLL if run.open and sender.pending <= const.SEND_AHEAD // 2 else None
                for document_id, outcome in sender.results(timeout=poll):
                    self.browse(document_id)._etims_settle(outcome, run)
            self.env.cr.commit()
            self._etims_give_back(counter, run)
        finally:
            sender.close()
        return run.again

    @api.model
    def _etims_head_waits(self, device):
        """Whether the first document holding a number is in flight (another run sends it) or waits
        for its retry: nothing of the queue can go before it."""
        head = self.search([('etims_device_id', '=', device.id), (self._etims_state_field, '=', 'sending')],
                           order=self._etims_number_field, limit=1)
        return bool(head) and not head._etims_is_due()

    @api.model
    def _etims_take(self, device, counter, run, room, busy=False):
        """Number and build the next documents of the queue (see the class, step 2).

        :param busy: documents of this run are in flight: when the counter is locked (another worker
            checking the queue) or nothing is queued, the run tries again after the next answer, so a
            document queued meanwhile, whose worker left because of them, is not left behind
        :return: ``[(document, body with its number)]`` in number order
        """
        try:
            counter = lock_rows(counter, nowait=True)
        except pg_errors.SerializationFailure:
            counter = counter.browse()  # another sender changed it since this transaction began
        if not counter:
            run.open = busy
            return []
        if self._etims_queue_waits(device):
            run.open = False
            return []
        number_field = self._etims_number_field
        documents = self.search([('etims_device_id', '=', device.id), (self._etims_state_field, '=', 'sending'),
                                 ('id', 'not in', list(run.in_flight))], order=number_field)
        # holding a number: they go first, with it; one not due is in flight elsewhere or waits for its retry
        due = documents[:next((index for index, document in enumerate(documents) if not document._etims_is_due()),
                              len(documents))]
        if len(due) < len(documents):
            run.open = False
        if due:
            due = due[:room]
            if not lock_rows(due, nowait=True):
                run.open = False
                return []
        if run.open and len(due) < room:
            due += claim_batch(self, self._etims_queue_domain(device) + [('id', 'not in', list(run.in_flight))],
                               limit=min(room - len(due), const.QUEUE_BATCH_SIZE - run.taken),
                               order=self._etims_queue_order)
        if not due:
            run.open = run.open and busy
        deadline = device._etims_in_flight_until()
        taken = []
        for document in due:
            if document._etims_queue_after().filtered(lambda earlier: earlier.id in run.in_flight):
                break  # it goes once KRA answered for the one it needs
            try:
                payload = document._etims_queue_payload()
            except EtimsUnavailable as error:
                document._etims_schedule_retry(error)
                run.open, run.held = False, bool(document[number_field])
                break
            except UserError as error:
                if document[number_field]:
                    document._etims_schedule_retry(error)
                    run.open, run.held = False, True
                    break
                document._etims_queue_failed(error)
                continue
            vals = {'etims_next_attempt_at': deadline}
            if not document[number_field]:
                counter.last_number += 1
                vals.update({number_field: counter.last_number, self._etims_state_field: 'sending'})
                run.numbered.add(document.id)
            document._etims_write(vals)
            payload[self._etims_number_key] = document[number_field]
            taken.append((document, payload))
            run.in_flight.add(document.id)
        run.taken += len(taken)
        if run.taken >= const.QUEUE_BATCH_SIZE:
            run.open = False
            run.again = True
        return taken

    def _etims_settle(self, outcome, run):
        """Store what became of this document once the sender thread is done with it."""
        self.ensure_one()
        run.in_flight.discard(self.id)
        if outcome is SKIPPED:
            run.unsent.append(self)
            run.open = False
            return
        try:
            result = self.etims_device_id._etims_answer(self._etims_endpoint, outcome)
        except EtimsUnavailable as error:
            self._etims_schedule_retry(error)
            run.open, run.held = False, True
            return
        except EtimsRejected as error:
            if error.code == const.DUPLICATE:
                self._etims_queue_duplicate()
                return
            self._etims_queue_failed(error)
            run.refused = self
            run.open = False
            run.again = True
            return
        self._etims_queue_done(result['data'])

    @api.model
    def _etims_give_back(self, counter, run):
        """Give back the numbers KRA never got from this run when they are the last ones given (see
        the class, step 5); the documents keeping theirs are due at once, first in the queue."""
        unsent = self.browse([document.id for document in run.unsent])
        if not unsent and not run.refused:
            return
        if not run.refused and not run.held:
            run.again = True  # the sender stopped for its time limit
        number_field = self._etims_number_field
        counter = lock_rows(counter)
        candidates = unsent.filtered(lambda document: document.id in run.numbered) | (run.refused or self.browse())
        for document in candidates.sorted(number_field, reverse=True):
            if counter.last_number != document[number_field]:
                break
            counter.last_number -= 1
            if document == run.refused:
                document._etims_write({number_field: 0})
            else:
                document._etims_write({number_field: 0, self._etims_state_field: 'to_send',
                                       'etims_next_attempt_at': False})
        unsent.filtered(number_field)._etims_write({'etims_next_attempt_at': False})
        self.env.cr.commit()
