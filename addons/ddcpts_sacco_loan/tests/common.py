"""Shared setup of the loan tests: the SACCO test company with a loan product and its accounts."""
from contextlib import contextmanager
from datetime import date

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.ddcpts_sacco.tests.common import SaccoCase, SaccoSetupMixin

DISBURSED = date(2026, 1, 31)
# the three test vectors (KES 100 000, 12 % a year, 12 monthly installments): (principal, interest) by number
VECTORS = {
    'declining_emi': {1: (7884.88, 1000.00), 2: (7963.73, 921.15), 11: (8709.81, 175.07), 12: (8796.88, 87.97)},
    'flat': {1: (8333.33, 1000.00), 2: (8333.33, 1000.00), 12: (8333.37, 1000.00)},
    'declining_equal_principal': {1: (8333.33, 1000.00), 2: (8333.33, 916.67), 11: (8333.33, 166.67),
                                  12: (8333.37, 83.33)},
}


class LoanSetupMixin(SaccoSetupMixin):

    @classmethod
    def loan_setup(cls, company, code='DEV', **values):
        """A declining-EMI product at 12 % over 12 months (sacco.md's vectors) with every GL account."""
        Account = cls.env['account.account'].with_company(company)
        cls.gl_portfolio = Account.create({'code': '139900', 'name': "Test Loan Portfolio",
                                           'account_type': 'asset_current'})
        cls.gl_interest_receivable = Account.create({'code': '139901', 'name': "Test Interest Receivable",
                                                     'account_type': 'asset_current'})
        cls.gl_interest = Account.create({'code': '449901', 'name': "Test Loan Interest", 'account_type': 'income'})
        cls.gl_loan_fees = Account.create({'code': '449902', 'name': "Test Loan Fees", 'account_type': 'income'})
        cls.gl_penalties = Account.create({'code': '449903', 'name': "Test Loan Penalties", 'account_type': 'income'})
        cls.gl_penalty_receivable = Account.create({'code': '139902', 'name': "Test Penalty Receivable",
                                                    'account_type': 'asset_current'})
        cls.gl_insurance = Account.create({'code': '229902', 'name': "Test Loan Insurance Payable",
                                           'account_type': 'liability_current'})
        cls.gl_write_off = Account.create({'code': '669900', 'name': "Test Loan Write-offs",
                                           'account_type': 'expense'})
        cls.loan_journal = cls.env['account.journal'].with_company(company).create(
            {'name': "Loans", 'code': 'TLOAN', 'type': 'general'})
        cls.bank_journal = cls.env['account.journal'].with_company(company).search(
            [('type', '=', 'bank'), ('company_id', '=', company.id)], limit=1) or \
            cls.env['account.journal'].with_company(company).create({'name': "Bank", 'code': 'TBNK', 'type': 'bank'})
        cls.product = cls.env['ddcpts.sacco.loan.product'].with_company(company).create({
            'name': "Development Loan", 'code': code, 'interest_method': 'declining_emi', 'annual_rate': 12,
            'frequency': 'monthly', 'installments_default': 12, 'installments_max': 36, 'amount_min': 1000,
            'amount_max': 1000000, 'deposit_multiple': 3, 'guarantor_cover_percent': 100,
            'fee_type': 'percent', 'fee_value': 1, 'fee_mode': 'deducted', 'insurance_percent': 1,
            'insurance_mode': 'deducted', 'penalty_type': 'percent', 'penalty_value': 5, 'arrears_tolerance_days': 0,
            'journal_id': cls.loan_journal.id, 'receivable_account_id': cls.gl_portfolio.id,
            'interest_receivable_account_id': cls.gl_interest_receivable.id,
            'interest_income_account_id': cls.gl_interest.id, 'fee_income_account_id': cls.gl_loan_fees.id,
            'penalty_income_account_id': cls.gl_penalties.id,
            'penalty_receivable_account_id': cls.gl_penalty_receivable.id, 'insurance_account_id': cls.gl_insurance.id,
            'write_off_account_id': cls.gl_write_off.id, 'overpayment_product_id': cls.savings.id,
            **values,
        })

    @classmethod
    def loan_mobile_money_setup(cls, company, codes, loan_code):
        """``company`` as a Kenyan SACCO in shillings with a loan product, a borrower on the simulators' test
        phone number with 20 000 of deposits and a guarantor with 40 000."""
        company.currency_id = cls.env.ref('base.KES')  # no entry exists yet
        cls.sacco_setup(company, codes=codes)
        company.write({'sacco_registration_fee': 0, 'email': 'loans@sacco.example.com'})
        cls.loan_setup(company, code=loan_code)
        Member = cls.env['ddcpts.sacco.member']
        cls.borrower = Member.create({'name': "Achieng Otieno", 'national_id': '29000001', 'kra_pin': 'A012345678Z',
                                      'birthdate': '1988-04-04', 'phone': '0708 374 149'})
        cls.guarantor = Member.create({'name': "Brian Kiprop", 'national_id': '29000002', 'kra_pin': 'A009876543B',
                                       'birthdate': '1985-03-03', 'phone': '0711 000 002'})
        (cls.borrower | cls.guarantor).action_activate()
        for member, amount in ((cls.borrower, 20000), (cls.guarantor, 40000)):
            member._sacco_account(cls.deposits)._sacco_post(amount, cls.gl_cash, date='2025-06-30')


class LoanCase(LoanSetupMixin, SaccoCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loan_setup(cls.company)
        cls.Loan = cls.env['ddcpts.sacco.loan']
        cls.officer = new_test_user(cls.env, 'loan_officer', groups='ddcpts_sacco.group_sacco_officer',
                                    email=False, company_id=cls.company.id, company_ids=[cls.company.id])
        cls.manager = new_test_user(cls.env, 'loan_manager', groups='ddcpts_sacco.group_sacco_manager',
                                    company_id=cls.company.id, company_ids=[cls.company.id])
        cls.company.email = 'loans@sacco.example.com'  # notifications of users without an address come from it
        cls.borrower = cls.active_member()
        cls.receive(cls.borrower, 40000, product=cls.deposits, date='2025-01-15')

    @classmethod
    def member_with_deposits(cls, amount, day='2025-01-15'):
        member = cls.active_member()
        cls.receive(member, amount, product=cls.deposits, date=day)
        return member

    @contextmanager
    def assertRefused(self, exception, regex):
        """``assertRaisesRegex`` inside a savepoint: what the refused call wrote is rolled back, as the
        request of a user would be."""
        with self.assertRaises(exception) as context:
            yield context
        self.assertRegex(str(context.exception), regex)

    def application(self, amount=100000, member=None, guarantors=(), **values):
        """A draft application by the officer, with ``(member, amount)`` guarantors requested."""
        loan = self.Loan.with_user(self.officer).create({
            'member_id': (member or self.borrower).id, 'product_id': self.product.id, 'amount_requested': amount,
            'installments': 12, 'disbursement_method': 'cash', 'disbursement_journal_id': self.cash_journal.id,
            'guarantor_ids': [Command.create({'member_id': guarantor.id, 'amount': pledge})
                              for guarantor, pledge in guarantors],
            **values})
        return loan.with_env(self.env)

    def approved(self, amount=100000, guarantors=None, **values):
        """An application submitted and appraised by the officer, guarantees accepted, approved by the manager."""
        if guarantors is None:
            guarantors = [(self.member_with_deposits(60000), 60000)]
        loan = self.application(amount, guarantors=guarantors, **values)
        loan.with_user(self.officer).action_submit()
        loan.guarantor_ids.action_accept()
        loan.with_user(self.officer).action_appraise()
        loan.with_user(self.manager).action_approve()
        return loan

    def disbursed(self, amount=100000, on=DISBURSED, **values):
        loan = self.approved(amount, **values)
        loan.with_user(self.officer).action_disburse(date=on)
        return loan

    def assert_vectors(self):
        """Preview a KES 100 000 application of a copy of the product for each interest method and compare
        its schedule with the vectors, to the cent; return the previewed loans."""
        loans = self.Loan
        for method, vector in VECTORS.items():
            with self.subTest(method=method):
                product = self.product.copy({'code': f'V{len(method)}', 'interest_method': method})
                loan = self.application(100000, product_id=product.id,
                                        guarantors=[(self.member_with_deposits(60000), 60000)])
                loan.action_preview_schedule()
                rows = [(line.principal, line.interest) for line in loan.line_ids.sorted('number')]
                self.assertEqual(len(rows), 12)
                for number, row in vector.items():
                    self.assertEqual(rows[number - 1], row, f"installment {number}")
                self.assertAlmostEqual(sum(principal for principal, _interest in rows), 100000, places=2)
                loans |= loan
        return loans

    def repay(self, loan, amount, on, channel='cash'):
        return loan._loan_repay(amount, on, channel, self.gl_cash, reference='TEST')

