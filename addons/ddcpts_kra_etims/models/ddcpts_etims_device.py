import logging
import time
from datetime import timedelta
from urllib.parse import urljoin

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from odoo.addons.ddcpts_base.exceptions import ProviderError
from odoo.addons.ddcpts_base.models.ddcpts_secret_mixin import SecretField
from odoo.addons.ddcpts_base.tools import chatter
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_base.tools.identity import clean_kra_pin
from odoo.addons.ddcpts_base.tools.locking import in_test_mode
from odoo.addons.ddcpts_base.tools.schema import SchemaError
from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.exceptions import EtimsRejected, EtimsUnavailable
from odoo.addons.ddcpts_kra_etims.tools.kra_format import kra_datetime
from odoo.addons.ddcpts_kra_etims.tools.schemas import PURCHASE_SALES

_logger = logging.getLogger(__name__)


def result_code(response):
    """``(code, envelope)`` of an OSCU answer, the code padded to three digits; ``(None, None)``
    without one. Touches no cursor: the queue's sender thread reads answers with it."""
    try:
        envelope = response.json() if response.ok else None
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict) or 'resultCd' not in envelope:
        return None, None
    return str(envelope['resultCd']).strip().zfill(3), envelope


def holds_number(response):
    """Whether KRA holds the numbered document after this answer (stored now, or 994: before), so
    the next number may follow it."""
    return result_code(response)[0] in (const.SUCCESS, const.NO_NEW_DATA, const.DUPLICATE)


class DdcptsEtimsDevice(models.Model):
    """An OSCU device: one branch (``bhfId``) of a taxpayer (KRA PIN) talking to eTIMS.

    The device is initialized once (``selectInitOsdcInfo``); KRA then gives the communication key
    (``cmcKey``, kept encrypted) sent with every call, and the control unit id and MRC number
    printed on receipts. Its branch's documents are numbered and sent one at a time, in order:
    see ``_etims_process_queue`` and ``ddcpts.etims.queue.mixin``.
    """
    _name = 'ddcpts.etims.device'
    _inherit = ['ddcpts.provider.mixin', 'mail.thread']
    _description = "eTIMS OSCU device"
    _order = 'company_id, branch_code'

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company, index=True)
    tin = fields.Char(
        "KRA PIN", required=True, tracking=True,
        default=lambda self: self.env.company.partner_id.kra_pin,
        help="PIN of the taxpayer (the company), e.g. P051365947M: the tin header of every call.")
    branch_code = fields.Char(
        "Branch ID", required=True, default='00', tracking=True,
        help="KRA branch id (bhfId): 00 for the head office, 01, 02… for branches.")
    serial_number = fields.Char("Device Serial Number", required=True, tracking=True,
                                help="Serial number KRA gave when the OSCU device was approved (dvcSrlNo).")
    environment = fields.Selection(
        [('test', "Test (KRA sandbox)"), ('production', "Production"), ('custom', "Custom URL (simulator)")],
        required=True, default='test', tracking=True)
    custom_url = fields.Char("Custom API URL", help="Base URL of the OSCU API, e.g. http://localhost:8070/etims-api/")
    timeout = fields.Integer("Timeout (s)", default=const.DEFAULT_TIMEOUT, required=True)
    tax_inclusive_amounts = fields.Boolean(
        "Tax-Inclusive Taxable Amounts", default=True,
        help="On (KRA's specification samples): the taxable amount of each line includes its VAT "
             "(taxblAmt = totAmt). Off: the taxable amount is net of VAT (totAmt = taxblAmt + taxAmt).")
    register_customers = fields.Boolean(
        "Register Customers with the Branch",
        help="Register each customer with a KRA PIN with this branch (saveBhfCustomer) before their first invoice.")

    state = fields.Selection(
        [('draft', "Not initialized"), ('ready', "Initialized")],
        required=True, default='draft', tracking=True, copy=False)
    cmc_key = SecretField("Communication Key (cmcKey)",
                          help="Given by KRA at initialization; enter it by hand only if KRA answered 902.")
    sdc_id = fields.Char("Control Unit ID (SCU ID)", copy=False, tracking=True)
    mrc_no = fields.Char("MRC Number", copy=False, tracking=True)
    kra_device_id = fields.Char("KRA Device ID", copy=False, readonly=True)
    taxpayer_name = fields.Char(copy=False, readonly=True)
    branch_name = fields.Char(copy=False, readonly=True)
    initialized_at = fields.Datetime(copy=False, readonly=True)
    last_invoice_number = fields.Integer(
        "Last Sales Invoice Number", compute='_compute_last_invoice_number',
        help="Last invcNo given to a sales invoice or credit note of this branch; the next one gets this + 1.")

    # lastReqDt of each list fetched from eTIMS (yyyyMMddHHmmss, Nairobi time)
    codes_requested_at = fields.Char("Codes Fetched Until", default=const.FIRST_REQUEST_DATE, copy=False)
    item_classes_requested_at = fields.Char("Item Classifications Fetched Until", default=const.FIRST_REQUEST_DATE,
                                            copy=False)
    notices_requested_at = fields.Char("Notices Fetched Until", default=const.FIRST_REQUEST_DATE, copy=False)
    branches_requested_at = fields.Char("Branches Fetched Until", default=const.FIRST_REQUEST_DATE, copy=False)
    purchases_requested_at = fields.Char("Supplier Invoices Fetched Until", default=const.FIRST_REQUEST_DATE,
                                         copy=False)
    imports_requested_at = fields.Char("Import Items Fetched Until", default=const.FIRST_REQUEST_DATE, copy=False)

    queue_count = fields.Integer("Invoices Waiting", compute='_compute_queue_count')

    _sql_constraints = [
        ('branch_unique', 'UNIQUE(tin, branch_code)', "A branch of a taxpayer has one eTIMS device."),
        ('timeout_positive', 'CHECK(timeout > 0)', "The timeout must be positive."),
    ]

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------

    @api.depends('state')
    def _compute_queue_count(self):
        counts = dict(self.env['account.move']._read_group(
            [('etims_device_id', 'in', self.ids), ('etims_state', 'in', ('to_send', 'sending'))],
            ['etims_device_id'], ['__count'],
        ))
        for device in self:
            device.queue_count = counts.get(device, 0)

    def _compute_last_invoice_number(self):
        Counter = self.env['ddcpts.etims.counter'].sudo()
        counters = {counter.device_id: counter.last_number
                    for counter in Counter.search([('device_id', 'in', self.ids), ('kind', '=', 'sale')])}
        for device in self:
            device.last_invoice_number = counters.get(device, 0)

    @api.constrains('tin')
    def _check_tin(self):
        for device in self:
            clean_kra_pin(device.tin)

    @api.constrains('branch_code')
    def _check_branch_code(self):
        for device in self:
            if not (len(device.branch_code or '') == 2 and device.branch_code.isdigit()):
                raise ValidationError(_("The KRA branch id has two digits: 00 for the head office, 01, 02…"))

    @api.constrains('environment', 'custom_url')
    def _check_custom_url(self):
        for device in self:
            if device.environment == 'custom' and not (device.custom_url or '').startswith(('http://', 'https://')):
                raise ValidationError(_("Enter the http(s) URL of the eTIMS API for the custom environment."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get('tin'):
                vals['tin'] = clean_kra_pin(vals['tin'])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get('tin'):
            vals['tin'] = clean_kra_pin(vals['tin'])
        if {'tin', 'branch_code', 'serial_number', 'environment'} & vals.keys() and any(
                device.state == 'ready' for device in self) and not self.env.context.get('etims_reinitialize'):
            raise UserError(_("The device is initialized: reset it before changing its PIN, branch, serial number "
                              "or environment."))
        return super().write(vals)

    # ------------------------------------------------------------------
    # ddcpts.provider.mixin
    # ------------------------------------------------------------------

    def _ddcpts_provider_code(self):
        return 'etims'

    def _ddcpts_setup_steps(self):
        return [(_("PIN, branch and serial number given by KRA entered"), self.tin and self.serial_number),
                (_("Initialized with KRA (Initialize)"), self.state == 'ready'),
                *super()._ddcpts_setup_steps()]

    def _ddcpts_health_check(self):
        """Fetch the notices changed since now: authenticated, cheap (answers 001)."""
        self._etims_call('selectNoticeList', {'lastReqDt': kra_datetime()})

    def _ddcpts_health_check_records(self):
        return self.search([('state', '=', 'ready')])

    # ------------------------------------------------------------------
    # Calls
    # ------------------------------------------------------------------

    def _etims_url(self, endpoint):
        self.ensure_one()
        base = self.custom_url if self.environment == 'custom' else const.API_URLS[self.environment]
        return urljoin(base.rstrip('/') + '/', endpoint)

    def _etims_headers(self):
        self.ensure_one()
        key = self.sudo()._ddcpts_secret('cmc_key')
        if self.state != 'ready' or not key:
            raise UserError(_("The eTIMS device %s is not initialized yet.", self.display_name))
        return {'tin': self.tin, 'bhfId': self.branch_code, 'cmcKey': key}

    def _etims_call(self, endpoint, body, related=None, with_headers=True):
        """POST ``body`` to an OSCU endpoint and return KRA's envelope (a dict) when it succeeded.

        Success is ``000`` and ``001`` (nothing new); ``data`` is then a dict (empty for 001).

        :raise EtimsUnavailable: no usable answer (timeout, HTTP error, not JSON, 999): try later
        :raise EtimsRejected: any other result code, with KRA's code and message
        """
        self.ensure_one()
        try:
            response = self._ddcpts_request(
                'POST', self._etims_url(endpoint), endpoint=endpoint, json=body,
                headers=self._etims_request_headers(with_headers), timeout=self.timeout, idempotent=False,
                related=related,
            )
        except ProviderError as error:
            raise EtimsUnavailable(str(error)) from error
        return self._etims_answer(endpoint, response)

    def _etims_prepare_call(self, endpoint, body, related=None, device_headers=None):
        """The ``PreparedCall`` of a POST to an OSCU endpoint, for a queue's sender thread.

        :param device_headers: ``_etims_headers()`` when the caller has them already
        """
        self.ensure_one()
        return self._ddcpts_prepare_request(
            'POST', self._etims_url(endpoint), endpoint=endpoint, json=body, timeout=self.timeout, related=related,
            headers=self._etims_request_headers(device_headers=device_headers))

    def _etims_request_headers(self, with_headers=True, device_headers=None):
        headers = {'Content-Type': 'application/json'}
        if with_headers:
            headers.update(device_headers or self._etims_headers())
        return headers

    def _etims_answer(self, endpoint, response):
        """KRA's envelope of ``response`` when it succeeded (see ``_etims_call``).

        :param response: a ``requests.Response``, or the ``ProviderError`` of a call without answer
        """
        if isinstance(response, ProviderError):
            raise EtimsUnavailable(str(response)) from response
        code, envelope = result_code(response)
        if code is None:
            raise EtimsUnavailable(_("eTIMS answered %(endpoint)s with HTTP %(status)s and no result code.",
                                     endpoint=endpoint, status=response.status_code))
        message = envelope.get('resultMsg') or ''
        if code in const.TRANSIENT_RESULT_CODES:
            raise EtimsUnavailable(_("eTIMS could not process %(endpoint)s (%(code)s %(message)s).",
                                     endpoint=endpoint, code=code, message=message))
        if code not in (const.SUCCESS, const.NO_NEW_DATA):
            raise EtimsRejected(code, _("eTIMS refused %(endpoint)s: %(code)s %(message)s",
                                        endpoint=endpoint, code=code, message=message))
        data = envelope.get('data')
        return dict(envelope, resultCd=code, data=data if isinstance(data, dict) else {})

    # ------------------------------------------------------------------
    # Initialization
    # ------------------------------------------------------------------

    def action_initialize(self):
        """Button: ``selectInitOsdcInfo`` (sent without headers) and keep what KRA gives once."""
        self.ensure_one()
        self._etims_check_manager()
        body = {'tin': self.tin, 'bhfId': self.branch_code, 'dvcSrlNo': self.serial_number}
        try:
            envelope = self._etims_call('selectInitOsdcInfo', body, with_headers=False)
        except EtimsRejected as error:
            if error.code != const.DEVICE_ALREADY_INSTALLED:
                raise
            message = _("KRA says this device is already installed (902): the communication key cannot be "
                        "fetched again. Enter the cmcKey, SCU ID and MRC number of the first installation by "
                        "hand, then click Confirm Manual Setup.")
            self.message_post(body=message, **chatter.sender(self.env))
            return notification(message, _("Device already installed"), kind='warning', sticky=True)
        info = envelope['data'].get('info') or {}
        if not info.get('cmcKey') or not info.get('sdcId'):
            raise UserError(_("eTIMS initialized the device but sent no communication key or SCU ID."))
        self.sudo()._ddcpts_set_secret('cmc_key', info['cmcKey'])
        self.with_context(etims_reinitialize=True).write({
            'state': 'ready',
            'sdc_id': info.get('sdcId'),
            'mrc_no': info.get('mrcNo'),
            'kra_device_id': info.get('dvcId'),
            'taxpayer_name': info.get('taxprNm'),
            'branch_name': info.get('bhfNm'),
            'initialized_at': fields.Datetime.now(),
        })
        self.message_post(body=_("Initialized with eTIMS: SCU ID %(sdc)s, MRC %(mrc)s.", sdc=self.sdc_id,
                                 mrc=self.mrc_no), **chatter.sender(self.env))
        return notification(_("The device is initialized (SCU ID %s).", self.sdc_id), kind='success', reload=True)

    def action_confirm_manual_setup(self):
        """Button (902 case): the key, SCU ID and MRC number were entered by hand; check them with a call."""
        self.ensure_one()
        self._etims_check_manager()
        if not (self.sudo()._ddcpts_secret('cmc_key') and self.sdc_id and self.mrc_no):
            raise UserError(_("Enter the communication key (cmcKey), the SCU ID and the MRC number first."))
        self.with_context(etims_reinitialize=True).write({'state': 'ready', 'initialized_at': fields.Datetime.now()})
        success, message = self._ddcpts_run_health_check()
        if not success:
            self.with_context(etims_reinitialize=True).state = 'draft'
            raise UserError(_("eTIMS did not accept the entered key: %s", message))
        self.message_post(body=_("Set up by hand with SCU ID %(sdc)s, MRC %(mrc)s.", sdc=self.sdc_id, mrc=self.mrc_no),
                          **chatter.sender(self.env))
        return notification(_("The device works."), kind='success', reload=True)

    def action_reset(self):
        """Button: back to not initialized (e.g. to change the environment); the key is forgotten."""
        self._etims_check_manager()
        for device in self:
            device.sudo()._ddcpts_set_secret('cmc_key', False)
        self.with_context(etims_reinitialize=True).write({'state': 'draft'})
        return True

    @api.model
    def _etims_demo_initialize(self, device_id):
        """Demo data: initialize the demo device against the simulator of this run, once the module's
        data is committed (the call log is written on a cursor of its own, which would wait for the
        tables the installation holds). A simulator that cannot be reached (e.g. Docker without it)
        leaves the device to initialize by hand, never failing the installation."""
        self._ddcpts_demo_use_simulator(device_id, 'custom_url', '/etims-api/')
        registry = self.env.registry

        def initialize():
            try:
                with registry.cursor() as cr:
                    api.Environment(cr, SUPERUSER_ID, {})[self._name].browse(device_id).action_initialize()
            except (UserError, ProviderError) as error:
                _logger.warning("The demo eTIMS device was not initialized (initialize it by hand): %s", error)
        self.env.cr.postcommit.add(initialize)

    def _etims_check_manager(self):
        if not self.env.user.has_group('ddcpts_base.group_ddcpts_manager'):
            raise UserError(_("Only East Africa Integrations managers can set up eTIMS devices."))

    # ------------------------------------------------------------------
    # Reference data
    # ------------------------------------------------------------------

    def _etims_fetch_since(self, endpoint, bookkeeping_field, process, body=None):
        """Fetch what changed since the device's ``lastReqDt`` for this list, process it, move the date on.

        The date only moves after ``process(data)`` succeeded, in the same transaction, so nothing
        fetched can be skipped. 001 (nothing new) leaves it as it is. Returns the processed data.
        """
        self.ensure_one()
        envelope = self._etims_call(endpoint, dict(body or {}, lastReqDt=self[bookkeeping_field]))
        if envelope['resultCd'] == const.NO_NEW_DATA:
            return {}
        process(envelope['data'])
        result_date = str(envelope.get('resultDt') or '')
        self[bookkeeping_field] = result_date if len(result_date) == 14 and result_date.isdigit() else kra_datetime()
        return envelope['data']

    def action_sync_reference_data(self):
        """Button: code lists, item classifications, notices and branches changed since the last sync."""
        for device in self:
            device._etims_sync_reference_data()
        return notification(_("Reference data is up to date."), kind='success', reload=True)

    def _etims_sync_reference_data(self):
        self.ensure_one()
        self._etims_fetch_since('selectCodeList', 'codes_requested_at', self.env['ddcpts.etims.code']._etims_import)
        self._etims_fetch_since('selectItemClsList', 'item_classes_requested_at',
                                self.env['ddcpts.etims.item.class']._etims_import)
        self._etims_fetch_since('selectNoticeList', 'notices_requested_at',
                                self.env['ddcpts.etims.notice']._etims_import)
        self._etims_fetch_since('selectBhfList', 'branches_requested_at',
                                lambda data: self.env['ddcpts.etims.branch']._etims_import(self, data))

    @api.model
    def _cron_sync_reference_data(self):
        self.search([('state', '=', 'ready')])._etims_run_per_device(
            '_etims_sync_reference_data', _("reference data not synced"))

    def _etims_run_per_device(self, method_name, failure):
        """Cron helper: run a method per device, each in its own transaction, logging eTIMS failures."""
        for device in self:
            try:
                with self.env.cr.savepoint():
                    getattr(device, method_name)()
            except (EtimsUnavailable, EtimsRejected) as error:
                _logger.warning("eTIMS device %s: %s: %s", device.display_name, failure, error)
            if not in_test_mode():
                self.env.cr.commit()

    # ------------------------------------------------------------------
    # Supplier invoices and customs imports
    # ------------------------------------------------------------------

    def action_fetch_purchases(self):
        """Button: supplier invoices issued to this branch since the last fetch, as draft vendor bills."""
        bills = self.env['account.move']
        for device in self:
            bills |= device._etims_fetch_purchases()
        if not bills:
            return notification(_("No new supplier invoice in eTIMS."), kind='info')
        return {
            'type': 'ir.actions.act_window',
            'name': _("Supplier invoices from eTIMS"),
            'res_model': 'account.move',
            'view_mode': 'list,form',
            'domain': [('id', 'in', bills.ids)],
            'context': {'default_move_type': 'in_invoice'},
        }

    def _etims_fetch_purchases(self):
        self.ensure_one()
        bills = self.env['account.move']

        def create_bills(data):
            nonlocal bills
            bills = self._etims_create_vendor_bills(data)

        self._etims_fetch_since('selectTrnsPurchaseSalesList', 'purchases_requested_at', create_bills)
        return bills

    def _etims_create_vendor_bills(self, data):
        """Draft vendor bills (or refunds) of the supplier invoices in ``data.saleList``; known ones are skipped."""
        self.ensure_one()
        data = self._etims_checked_answer(PURCHASE_SALES, data, 'selectTrnsPurchaseSalesList')
        Payload = self.env['ddcpts.etims.payload']
        Move = self.env['account.move']
        company = self.company_id
        bills = Move
        for sale in data['saleList'] or []:
            vals = Payload._etims_vendor_bill_vals(self, sale)
            if not vals or Move.search_count([
                ('company_id', '=', company.id), ('move_type', '=', vals['move_type']),
                ('etims_supplier_tin', '=', vals['etims_supplier_tin']),
                ('etims_supplier_branch', '=', vals['etims_supplier_branch']),
                ('etims_supplier_invoice_number', '=', vals['etims_supplier_invoice_number']),
            ]):
                continue
            vals['partner_id'] = self.env['res.partner']._etims_supplier(
                vals['etims_supplier_tin'], sale['spplrNm'], company).id
            bills |= Move.with_company(company).create(vals)
        for bill in bills:
            bill._etims_log(_("Fetched from eTIMS: invoice %(number)s of %(supplier)s.",
                            number=bill.etims_supplier_invoice_number, supplier=bill.partner_id.name))
        return bills

    def _etims_checked_answer(self, answer_schema, data, endpoint):
        """``data`` of an eTIMS list, checked by its schema (``tools/schemas.py``). An answer that cannot
        be used is refused as a whole: nothing of it is booked, and as the list's date does not move,
        it is fetched again next time."""
        try:
            return answer_schema.validate(data)
        except SchemaError as error:
            raise EtimsUnavailable(_(
                "eTIMS answered %(endpoint)s with data that cannot be used (%(error)s): nothing was imported, "
                "the list is fetched again next time.", endpoint=endpoint, error=error)) from error

    def action_fetch_import_items(self):
        """Button: customs import items declared since the last fetch."""
        for device in self:
            device._etims_fetch_import_items()
        return self.env['ir.actions.act_window']._for_xml_id('ddcpts_kra_etims.ddcpts_etims_import_item_action')

    def _etims_fetch_import_items(self):
        self.ensure_one()
        self._etims_fetch_since('selectImportItemList', 'imports_requested_at',
                                lambda data: self.env['ddcpts.etims.import.item']._etims_import(self, data))

    @api.model
    def _cron_fetch_purchases(self):
        self.search([('state', '=', 'ready')])._etims_run_per_device(
            '_etims_fetch_purchases', _("supplier invoices not fetched"))

    @api.model
    def _cron_fetch_import_items(self):
        self.search([('state', '=', 'ready')])._etims_run_per_device(
            '_etims_fetch_import_items', _("import items not fetched"))

    # ------------------------------------------------------------------
    # Tax types and devices of documents
    # ------------------------------------------------------------------

    @api.model
    def _etims_tax_rates(self):
        """Rate of each tax type: KRA's code list 04 once synced, else the Kenyan rates."""
        rates = dict(const.TAX_RATES)
        for code in self.env['ddcpts.etims.code'].sudo().search([('class_code', '=', const.CODE_CLASS_TAX_TYPE)]):
            if code.code in rates and code.user_defined_1:
                try:
                    rates[code.code] = float(code.user_defined_1)
                except ValueError:
                    continue
        return rates

    @api.model
    def _etims_device_for(self, company, journal=None):
        """The device of a document: its journal's, else the company's head office (00), else any."""
        if journal and journal.etims_device_id:
            return journal.etims_device_id
        devices = self.sudo().search([('company_id', '=', company.id)], order='branch_code')
        return devices.filtered(lambda device: device.branch_code == '00')[:1] or devices[:1]

    # ------------------------------------------------------------------
    # Sending queue
    # ------------------------------------------------------------------

    def _etims_schedule_queue(self):
        """Send the queues of these devices as soon as the current transaction is committed.

        Documents must be committed before they get a number and go to KRA, so sending happens
        after the commit (in the same request, so the user sees the result); the cron is the safety
        net. Test cursors drop post-commit hooks, and there everything shares one transaction anyway:
        the queue is sent at once.
        """
        if not self:
            return
        self.env.ref('ddcpts_kra_etims.ir_cron_etims_send_queue')._trigger()
        if self.env.registry.in_test_mode():
            self._etims_process_queue()
            return
        devices = self.browse(self.ids)

        def send_after_commit():
            try:
                devices._etims_process_queue()
            except Exception:
                _logger.exception("eTIMS queue of %s not sent after commit; the cron will", devices.ids)

        self.env.cr.postcommit.add(send_after_commit)

    def _etims_process_queue(self, limit=const.QUEUE_BATCH_SIZE):
        """Send what waits in each device's queues, in order, in runs committing as they go
        (``ddcpts.etims.queue.mixin``); ``limit``: runs per queue.

        A worker that finds another one sending for the device leaves at once: that one sends what was
        queued meanwhile too (see ``ddcpts.etims.queue.mixin``), so a posting never waits behind it.
        """
        self.env.flush_all()  # other cursors read what was written (test cursors share the transaction)
        for device_id in self.ids:
            for model_name in self._etims_queue_models():
                for _count in range(limit):
                    if not self._etims_in_new_transaction(device_id, model_name):
                        break
        self.env.invalidate_all()

    @api.model
    def _etims_queue_models(self):
        """The numbered documents a device sends, in the order KRA wants them (stock after sales)."""
        return ['account.move']

    def _etims_in_new_transaction(self, device_id, model_name):
        """One run over the queue of ``model_name`` with a cursor of its own (committed), as the same user."""
        try:
            with self.env.registry.cursor() as cr:
                env = api.Environment(cr, self.env.uid or SUPERUSER_ID, self.env.context, su=True)
                return env[model_name]._etims_send_queue(env[self._name].browse(device_id))
        except Exception:
            _logger.exception("eTIMS device %s: %s not sent", device_id, model_name)
            return False

    def _etims_in_flight_until(self):
        """Until when a document numbered now stays in flight: other workers leave it alone until then,
        and send it again after it only when its sender died (see ``ddcpts.etims.queue.mixin``)."""
        self.ensure_one()
        return fields.Datetime.now() + timedelta(seconds=const.SEND_WINDOW + self.timeout + const.IN_FLIGHT_MARGIN)

    @api.model
    def _etims_send_by(self):
        """The ``time.monotonic()`` after which a document numbered now is not sent by this run."""
        return time.monotonic() + const.SEND_WINDOW

    def _etims_counter(self, kind):
        """The counter of a numbering of this device (sudo), created on first use; empty when another
        worker created it at the same moment (that one is numbering)."""
        self.ensure_one()
        Counter = self.env['ddcpts.etims.counter'].sudo()
        counter = Counter.search([('device_id', '=', self.id), ('kind', '=', kind)])
        if counter:
            return counter
        try:
            with mute_logger('odoo.sql_db'), self.env.cr.savepoint():
                return Counter.create({'device_id': self.id, 'kind': kind})
        except pg_errors.UniqueViolation:
            return Counter

    @api.model
    def _cron_send_queue(self):
        """Retry what eTIMS did not answer, with backoff (see ``QUEUE_RETRY_DELAYS``)."""
        self.env['account.move']._cron_retry_purchase_confirmations()
        self.search([('state', '=', 'ready')])._etims_process_queue()

    def action_send_queue(self):
        """Button: send the queue now (documents waiting for their retry time wait on)."""
        self._etims_process_queue()
        return notification(_("The queue was processed."), kind='info', reload=True)

    def action_open_queue(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _("eTIMS queue of %s", self.display_name),
            'res_model': 'account.move',
            'view_mode': 'list,form',
            'domain': [('etims_device_id', '=', self.id), ('etims_state', 'in', ('to_send', 'sending'))],
        }
