"""A SACCO of its own answering a USSD service with the SACCO member menu, a member calling it, and a
loan product members may apply for by USSD."""
from dateutil.relativedelta import relativedelta

from odoo import fields

from odoo.addons.ddcpts_sacco.tests.common import SaccoSetupMixin
from odoo.addons.ddcpts_ussd.tests.common import CALLER, UssdCase

PIN = '4821'


class SaccoUssdMixin(SaccoSetupMixin):
    """The SACCO member menu on ``cls.service`` for ``cls.company``, and the member ``cls.member`` calling."""

    @classmethod
    def sacco_ussd_setup(cls, codes=('SHR', 'DEP', 'SAV')):
        cls.sacco_setup(cls.company, codes=codes)
        cls.company.sacco_registration_fee = 0
        cls.service.write({'company_id': cls.company.id, 'root_menu': 'sacco'})
        cls.caller.mobile = False  # the contact of ddcpts_ussd's tests: the caller's number is now a member's
        cls.member = cls.env['ddcpts.sacco.member'].create({
            'name': "Njeri Wanjikũ", 'national_id': '29000001', 'kra_pin': 'A012345678Z',
            'birthdate': '1990-05-05', 'phone': CALLER})
        cls.member.action_activate()
        cls.caller = cls.member.partner_id
        Account = cls.env['account.account'].with_company(cls.company)
        cls.gl_loans = Account.create({'code': '139800', 'name': "Test Loans", 'account_type': 'asset_receivable',
                                       'reconcile': True})
        cls.gl_loan_income = Account.create({'code': '419800', 'name': "Test Loan Income", 'account_type': 'income'})
        cls.loan_product = cls.env['ddcpts.sacco.loan.product'].create({
            'name': "Development Loan", 'code': 'DEV', 'journal_id': cls.misc_journal.id, 'annual_rate': 12,
            'installments_max': 24, 'auto_approval': True, 'guarantor_cover_percent': 30,
            'receivable_account_id': cls.gl_loans.id, 'interest_income_account_id': cls.gl_loan_income.id,
            'fee_income_account_id': cls.gl_loan_income.id, 'penalty_income_account_id': cls.gl_loan_income.id,
            'overpayment_product_id': cls.savings.id,
        })

    @classmethod
    def deposit(cls, member, amount, months_ago=6):
        """Deposits paid long enough ago to count towards the loan limit."""
        date = fields.Date.context_today(member) - relativedelta(months=months_ago)
        member.account_ids.filtered(lambda account: account.product_id == cls.deposits)._sacco_post(
            amount, cls.gl_cash, date=date)

    def account(self, product):
        return self.member.account_ids.filtered(lambda account: account.product_id == product)


class SaccoUssdCase(SaccoUssdMixin, UssdCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.sacco_company("Umoja SACCO")
        cls.sacco_ussd_setup()
