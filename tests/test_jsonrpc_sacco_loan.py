"""An external system lists a member's loans and applies for one over JSON-RPC with API keys."""
from jsonrpc_client import JsonRpcClient, JsonRpcError

from odoo.tests import tagged
from odoo.tests.common import HttpCase

from odoo.addons.ddcpts_sacco.tests.common import SaccoPeopleMixin
from odoo.addons.ddcpts_sacco_loan.tests.common import LoanSetupMixin


@tagged('post_install', '-at_install')
class TestJsonRpcSaccoLoan(LoanSetupMixin, SaccoPeopleMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sacco_people()
        cls.loan_setup(cls.company, code='EMG')
        cls.company.email = 'loans@sacco.example.com'

    def client(self, user, name):
        key = self.env['res.users.apikeys'].with_user(user).sudo()._generate(None, name, None)
        return JsonRpcClient(self.base_url(), self.env.cr.dbname, user.login, key)

    def test_apply_and_list(self):
        Loan = 'ddcpts.sacco.loan'
        officer = self.client(self.officer, 'ERP')
        with self.assertRaisesRegex(JsonRpcError, r"above the member's loan limit of 12,600\.00"):
            officer.execute(Loan, 'sacco_loan_apply', self.amina.number, 'emg', 13000)
        with self.assertRaisesRegex(JsonRpcError, "The amount must be a positive number"):
            officer.execute(Loan, 'sacco_loan_apply', self.amina.number, 'EMG', "12000\x00")
        with self.assertRaisesRegex(JsonRpcError, r"Each guarantor is \{'member'"):
            officer.execute(Loan, 'sacco_loan_apply', self.amina.number, 'EMG', 12000, guarantors=[self.brian.number])
        loan = officer.execute(Loan, 'sacco_loan_apply', self.amina.number, 'EMG', 12000, installments=6,
                               guarantors=[{'member': self.brian.number, 'amount': 7800}], purpose="School fees")
        self.assertEqual((loan['state'], loan['member'], len(loan['schedule'])), ('submitted', self.amina.number, 6))
        self.assertAlmostEqual(sum(row['principal'] for row in loan['schedule']), 12000, places=2)
        self.assertRegex(loan['loan'], r'^LN\d+$')

        auditor = self.client(self.auditor, 'BI')
        [listed] = auditor.execute(Loan, 'sacco_loan_list', self.amina.number)
        self.assertEqual((listed['loan'], listed['amount_requested'], listed['transactions']),
                         (loan['loan'], 12000, []))
        self.assertEqual(auditor.execute(Loan, 'sacco_loan_list', self.amina.number, ['active']), [])
        with self.assertRaisesRegex(JsonRpcError, "not allowed to create"):
            auditor.execute(Loan, 'sacco_loan_apply', self.brian.number, 'EMG', 1000)
        other = self.client(self.other_officer, 'GH')
        with self.assertRaisesRegex(JsonRpcError, "There is no member"):
            other.execute(Loan, 'sacco_loan_list', self.amina.number)

    def test_apply_auto_approved_when_the_product_allows_it(self):
        Loan = 'ddcpts.sacco.loan'
        officer = self.client(self.officer, 'ERP')
        loan = officer.execute(Loan, 'sacco_loan_apply', self.amina.number, 'EMG', 4000)
        self.assertEqual(loan['state'], 'submitted', "the product leaves approval to its officers")
        self.env['ddcpts.sacco.loan'].browse(loan['id']).action_withdraw()
        self.product.auto_approval = True
        self.env.flush_all()  # the client's requests read the database, not this test's cache
        loan = officer.execute(Loan, 'sacco_loan_apply', self.amina.number, 'EMG', 8000)
        self.assertEqual(loan['state'], 'submitted', "her free deposits cover 4 200 of the 8 000: not eligible")
        loan = officer.execute(Loan, 'sacco_loan_apply', self.amina.number, 'EMG', 4000)
        self.assertEqual(loan['state'], 'approved')
        self.env.invalidate_all()
        record = self.env['ddcpts.sacco.loan'].browse(loan['id'])
        self.assertEqual(record.eligibility_notes, "Eligible.")
        self.assertTrue(any("Approved automatically" in body for body in record.message_ids.mapped('body')))
