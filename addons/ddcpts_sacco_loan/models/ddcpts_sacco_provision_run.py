import io
import logging

import openpyxl
from dateutil.relativedelta import relativedelta
from psycopg2 import IntegrityError

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools.locking import lock_rows
from odoo.addons.ddcpts_sacco_loan.models.ddcpts_sacco_provision_line import AGING_BUCKETS, aging_bucket

_logger = logging.getLogger(__name__)

PAR_DAYS = (1, 30, 90)


class DdcptsSaccoProvisionRun(models.Model):
    """The month's risk classification of the loan portfolio and its provisioning entry.

    Each active loan is classified by its days in arrears (from the daily loan job) into the company's
    risk classes; the required provision is the sum of outstanding principal × the class's percentage.
    The journal entry moves the loan-loss allowance from its balance to the required provision (an
    expense when it grows, a write-back when it shrinks), so posting a month twice books nothing more.
    """
    _name = 'ddcpts.sacco.provision.run'
    _description = "SACCO Loan Provisioning"
    _inherit = ['mail.thread']
    _order = 'date desc, id desc'
    _check_company_auto = True

    name = fields.Char(compute='_compute_name', store=True)
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company, index=True,
                                 readonly=True)
    currency_id = fields.Many2one(related='company_id.currency_id')
    date = fields.Date("Classification Date", required=True, default=fields.Date.context_today, tracking=True,
                       help="Usually the last day of the month; loans are classified by their days in arrears "
                            "of the last daily loan job.")
    period = fields.Char(compute='_compute_name', store=True, help="The month provided for (YYYY-MM).")
    state = fields.Selection([('draft', "Draft"), ('posted', "Posted")], default='draft', required=True,
                             readonly=True, tracking=True, copy=False)
    journal_id = fields.Many2one('account.journal', required=True, check_company=True, tracking=True,
                                 domain="[('type', '=', 'general')]",
                                 default=lambda self: self._risk_previous_run().journal_id)
    expense_account_id = fields.Many2one('account.account', "Provision Expense Account", required=True,
                                         check_company=True, tracking=True,
                                         default=lambda self: self._risk_previous_run().expense_account_id)
    allowance_account_id = fields.Many2one(
        'account.account', "Loan Loss Allowance Account", required=True, check_company=True, tracking=True,
        default=lambda self: self._risk_previous_run().allowance_account_id,
        help="The contra-asset account holding the provision against the loan portfolio.")
    line_ids = fields.One2many('ddcpts.sacco.provision.line', 'run_id', "Classified Loans", readonly=True)
    loan_count = fields.Integer(compute='_compute_totals', store=True)
    portfolio_total = fields.Monetary("Outstanding Principal", compute='_compute_totals', store=True)
    provision_required = fields.Monetary("Required Provision", compute='_compute_totals', store=True)
    par1 = fields.Float("PAR 1 (%)", digits=(5, 2), compute='_compute_totals', store=True,
                        help="Share of the outstanding principal on loans more than 1 day in arrears.")
    par30 = fields.Float("PAR 30 (%)", digits=(5, 2), compute='_compute_totals', store=True)
    par90 = fields.Float("PAR 90 (%)", digits=(5, 2), compute='_compute_totals', store=True)
    allowance_before = fields.Monetary("Allowance Before", readonly=True, copy=False,
                                       help="Balance of the allowance account before this run's entry.")
    adjustment = fields.Monetary(readonly=True, copy=False,
                                 help="What the entry books: required provision less the allowance before.")
    move_id = fields.Many2one('account.move', "Journal Entry", readonly=True, copy=False, check_company=True)

    _sql_constraints = [
        ('period_company_uniq', 'unique(period, company_id)', "This month already has a provisioning run."),
    ]

    @api.depends('date')
    def _compute_name(self):
        for run in self:
            run.period = run.date and f"{run.date:%Y-%m}"
            run.name = run.date and _("Provisioning %s", run.period)

    @api.depends('line_ids.principal_outstanding', 'line_ids.provision_amount', 'line_ids.days_in_arrears')
    def _compute_totals(self):
        for run in self:
            lines = run.line_ids
            total = sum(lines.mapped('principal_outstanding'))
            run.loan_count = len(lines)
            run.portfolio_total = total
            run.provision_required = run.currency_id.round(sum(lines.mapped('provision_amount')))
            for days in PAR_DAYS:
                at_risk = sum(lines.filtered(lambda line, days=days: line.days_in_arrears > days)
                              .mapped('principal_outstanding'))
                run[f'par{days}'] = 100.0 * at_risk / total if total else 0.0

    def _risk_previous_run(self):
        return self.search([('company_id', '=', self.env.company.id)], order='date desc, id desc', limit=1)

    # ------------------------------------------------------------------
    # Classification and posting
    # ------------------------------------------------------------------

    def action_classify(self):
        """Button: classify the company's active loans again (draft runs only)."""
        for run in self:
            if run.state != 'draft':
                raise UserError(_("%s is posted: its classification is kept as it was booked.", run.name))
            run.line_ids.unlink()
            run.env['ddcpts.sacco.provision.line'].create(run._risk_line_values())
        return True

    def _risk_line_values(self):
        self.ensure_one()
        bands = self.env['ddcpts.sacco.loan.risk.band']._risk_bands(self.company_id)
        loans = self.env['ddcpts.sacco.loan'].search([
            ('company_id', '=', self.company_id.id), ('state', '=', 'active'), ('principal_outstanding', '>', 0),
        ])
        round_ = self.currency_id.round
        values = []
        for loan in loans:
            days = max(loan.days_in_arrears, 0)
            band = bands._risk_band_for(days)
            values.append({
                'run_id': self.id, 'loan_id': loan.id, 'member_id': loan.member_id.id,
                'product_id': loan.product_id.id, 'band_id': band.id, 'days_in_arrears': days,
                'aging': aging_bucket(days), 'principal_outstanding': loan.principal_outstanding,
                'provision_percent': band.provision_percent,
                'provision_amount': round_(loan.principal_outstanding * band.provision_percent / 100.0),
            })
        return values

    def action_post(self):
        """Button: book the month's provision. The run row is locked first, so two users (or the cron and
        a user) posting the same month book it once."""
        for run in self:
            run = lock_rows(run)
            if run.state == 'posted':
                continue
            if not run.line_ids:
                run.action_classify()
            run._risk_post_entry()
        return True

    def _risk_allowance_balance(self):
        """The allowance account's credit balance at the run's date (posted entries only)."""
        self.ensure_one()
        [(balance,)] = self.env['account.move.line'].sudo()._read_group([
            ('account_id', '=', self.allowance_account_id.id), ('company_id', '=', self.company_id.id),
            ('parent_state', '=', 'posted'), ('date', '<=', self.date),
        ], [], ['balance:sum'])
        return -(balance or 0.0)

    def _risk_post_entry(self):
        self.ensure_one()
        currency = self.currency_id
        before = currency.round(self._risk_allowance_balance())
        adjustment = currency.round(self.provision_required - before)
        move = self.env['account.move']
        if not currency.is_zero(adjustment):
            label = _("Loan loss provision %s", self.period)
            amount = abs(adjustment)
            grows = adjustment > 0
            # as superuser, like the loan entries: SACCO managers post through this screen, which checks their rights
            move = self.env['account.move'].sudo().with_company(self.company_id).create({
                'move_type': 'entry', 'journal_id': self.journal_id.id, 'date': self.date, 'ref': self.name,
                'company_id': self.company_id.id,
                'line_ids': [
                    fields.Command.create({'name': label, 'account_id': self.expense_account_id.id,
                                           'debit': amount if grows else 0.0, 'credit': 0.0 if grows else amount}),
                    fields.Command.create({'name': label, 'account_id': self.allowance_account_id.id,
                                           'debit': 0.0 if grows else amount, 'credit': amount if grows else 0.0}),
                ],
            })
            move.action_post()
        self.write({'state': 'posted', 'allowance_before': before, 'adjustment': adjustment, 'move_id': move.id})
        self.message_post(body=_("Required provision %(required)s, allowance before %(before)s: %(booked)s booked.",
                                 required=currency.format(self.provision_required), before=currency.format(before),
                                 booked=currency.format(adjustment)))

    @api.model
    def _cron_risk_month_end(self):
        """On the last day of a month, classify and provide for each company that provided before (the
        accounts are those of its last run). Creating the month's run twice is refused by the database."""
        today = fields.Date.context_today(self)
        if (today + relativedelta(days=1)).month == today.month:
            return self
        runs = self
        for company in self.env['res.company'].search([]):
            last = self.with_company(company).search([('company_id', '=', company.id)], order='date desc', limit=1)
            if not last or last.period == f"{today:%Y-%m}":
                continue
            try:
                with self.env.cr.savepoint():
                    run = last.copy({'date': today})
            except IntegrityError:
                _logger.info("Provisioning of %s for %s is done by another worker", company.name, today)
                continue
            run.action_post()
            runs |= run
        return runs

    # ------------------------------------------------------------------
    # Report (PDF and XLSX read the same figures)
    # ------------------------------------------------------------------

    def _risk_report_data(self):
        """Per risk class and per ageing bucket: loans, outstanding principal, provision."""
        self.ensure_one()
        bands = self.env['ddcpts.sacco.loan.risk.band']._risk_bands(self.company_id) | self.line_ids.band_id
        classes = []
        for band in bands.sorted('days_from'):
            lines = self.line_ids.filtered(lambda line, band=band: line.band_id == band)
            classes.append({
                'name': band.name, 'code': band.code,
                'days': band.days_label,
                'count': len(lines), 'principal': sum(lines.mapped('principal_outstanding')),
                'percent': band.provision_percent, 'provision': sum(lines.mapped('provision_amount')),
            })
        aging = []
        for code, label in AGING_BUCKETS:
            lines = self.line_ids.filtered(lambda line, code=code: line.aging == code)
            aging.append({'name': label, 'count': len(lines), 'principal': sum(lines.mapped('principal_outstanding'))})
        return {'classes': classes, 'aging': aging,
                'par': [(days, self[f'par{days}']) for days in PAR_DAYS],
                # SACCO managers and auditors print it without accounting rights
                'entry': self.move_id.sudo().name or ''}

    def action_export_xlsx(self):
        """Button: the risk classification and provisioning return as a spreadsheet."""
        self.ensure_one()
        attachment = self.env['ir.attachment'].create({
            'name': f"risk-classification-{self.period}.xlsx", 'raw': self._risk_xlsx(),
            'res_model': self._name, 'res_id': self.id,
            'mimetype': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        })
        return {'type': 'ir.actions.act_url', 'url': f'/web/content/{attachment.id}?download=true', 'target': 'self'}

    def _risk_xlsx(self):
        self.ensure_one()
        data = self._risk_report_data()
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Classification"
        sheet.append([self.company_id.name])
        sheet.append([_("Risk classification of loans and provisioning"), fields.Date.to_string(self.date)])
        sheet.append([])
        sheet.append([_("Class"), _("Days in arrears"), _("Loans"), _("Outstanding principal"), _("Provision %"),
                      _("Required provision")])
        for row in data['classes']:
            sheet.append([row['name'], row['days'], row['count'], row['principal'], row['percent'], row['provision']])
        sheet.append([_("Total"), '', self.loan_count, self.portfolio_total, '', self.provision_required])
        sheet.append([])
        sheet.append([_("Allowance before"), self.allowance_before])
        sheet.append([_("Adjustment booked"), self.adjustment])
        for days, value in data['par']:
            sheet.append([f"PAR {days}", round(value, 2)])
        aging = book.create_sheet("Ageing")
        aging.append([_("Days in arrears"), _("Loans"), _("Outstanding principal")])
        for row in data['aging']:
            aging.append([row['name'], row['count'], row['principal']])
        loans = book.create_sheet("Loans")
        loans.append([_("Loan"), _("Borrower"), _("Product"), _("Days in arrears"), _("Class"),
                      _("Outstanding principal"), _("Provision")])
        for line in self.line_ids:
            loans.append([line.loan_id.name, line.member_id.display_name, line.product_id.name, line.days_in_arrears,
                          line.band_id.name, line.principal_outstanding, line.provision_amount])
        stream = io.BytesIO()
        book.save(stream)
        return stream.getvalue()

    def action_view_lines(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('ddcpts_sacco_loan.ddcpts_sacco_provision_line_action')
        action['domain'] = [('run_id', '=', self.id)]
        return action

