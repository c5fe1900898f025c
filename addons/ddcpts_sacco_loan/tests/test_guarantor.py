from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import DISBURSED, LoanCase


@tagged('post_install', '-at_install')
class TestLoanGuarantor(LoanCase):

    def test_pledge_above_free_deposits_is_refused(self):
        guarantor = self.member_with_deposits(30000)
        with self.assertRefused(ValidationError, r"has 30,000\.00.* of free deposits: a pledge of 30,000\.01"):
            self.application(50000, guarantors=[(guarantor, 30000.01)])
        self.assertFalse(self.Loan.search([('member_id', '=', self.borrower.id)]), "nothing was created")

    def test_pledged_deposits_are_no_longer_free(self):
        guarantor = self.member_with_deposits(60000)
        first = self.application(50000, guarantors=[(guarantor, 50000)])
        first.guarantor_ids.action_accept()
        self.assertEqual(guarantor._loan_free_deposits()[guarantor], 10000.0)
        other_borrower = self.member_with_deposits(20000)
        with self.assertRefused(ValidationError, r"has 10,000\.00.* of free deposits"):
            self.application(40000, member=other_borrower, guarantors=[(guarantor, 20000)])
        # a pledge still requested locks nothing, but is checked again when it is accepted
        second = self.application(40000, member=other_borrower, guarantors=[(guarantor, 10000)])
        self.receive(guarantor, 1, product=self.deposits)
        second.guarantor_ids.action_accept()
        self.assertEqual(guarantor._loan_free_deposits()[guarantor], 1.0)

    def test_who_may_guarantee(self):
        with self.assertRefused(ValidationError, "cannot guarantee their own loan"):
            self.application(50000, guarantors=[(self.borrower, 1000)])
        employer = self.env['res.partner'].create({'name': "The SACCO itself"})
        staff = self.member_with_deposits(50000)
        staff.write({'employer_id': employer.id, 'staff_number': 'S1'})
        self.product.guarantor_exclude_employer_ids = employer
        with self.assertRefused(ValidationError, "Employees of The SACCO itself cannot guarantee"):
            self.application(50000, guarantors=[(staff, 1000)])
        self.product.guarantor_max_active = 1
        busy = self.member_with_deposits(50000)
        self.application(5000, guarantors=[(busy, 1000)])
        with self.assertRefused(ValidationError, "already guarantees 1 loans"):
            self.application(5000, member=self.member_with_deposits(5000), guarantors=[(busy, 1000)])

    def test_decline_asks_the_officer_for_another_guarantor(self):
        loan = self.application(100000, guarantors=[(self.member_with_deposits(60000), 60000)])
        loan.action_submit()
        loan.guarantor_ids.action_decline()
        self.assertEqual(loan.guarantor_ids.state, 'declined')
        self.assertIn("Find another guarantor", loan.activity_ids.mapped('summary'))
        with self.assertRefused(UserError, "was answered already"):
            loan.guarantor_ids.action_accept()

    def test_locked_while_active_and_released_in_proportion(self):
        guarantor = self.member_with_deposits(60000)
        loan = self.disbursed(100000, guarantors=[(guarantor, 60000)])
        pledge = loan.guarantor_ids
        self.assertEqual(pledge.amount_locked, 60000)
        with self.assertRefused(UserError, "locked while the loan is approved or active"):
            pledge.amount = 10000
        with self.assertRefused(UserError, "locked while its loan"):
            pledge.unlink()
        # half the principal repaid by a lump sum: half the pledge is free again
        self.repay(loan, 50000, DISBURSED)
        self.assertEqual(loan.principal_outstanding, 50000)
        self.assertEqual(pledge.amount_locked, 30000)
        self.assertEqual(guarantor._loan_free_deposits()[guarantor], 30000)
        self.repay(loan, loan._loan_payoff(DISBURSED), DISBURSED)
        self.assertRecordValues(loan, [{'state': 'closed'}])
        self.assertRecordValues(pledge, [{'state': 'released', 'amount_locked': 0}])

    def test_loans_and_guarantees_block_the_exit(self):
        guarantor = self.member_with_deposits(60000)
        self.disbursed(100000, guarantors=[(guarantor, 60000)])
        with self.assertRefused(UserError, r"cannot leave yet: loans LN\d+ are not repaid"):
            self.borrower.action_request_exit()
        with self.assertRefused(UserError, r"guarantees loans LN\d+ \(replace the guarantor first\)"):
            guarantor.action_request_exit()
