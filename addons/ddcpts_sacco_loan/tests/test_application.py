from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import LoanCase


@tagged('post_install', '-at_install')
class TestLoanApplication(LoanCase):

    def test_schedule_preview_reproduces_the_three_vectors(self):
        self.assert_vectors()
        self.assertEqual(self.application(100000)._loan_terms().method, 'declining_emi')

    def test_submit_refuses_an_amount_above_the_limit(self):
        loan = self.application(130000)
        with self.assertRefused(UserError, r"above the member's loan limit of .*120,000\.00"):
            loan.action_submit()
        self.assertEqual(loan.state, 'draft', "nothing changed")
        with self.assertRefused(UserError, r"lends from 1,000\.00.* to 1,000,000\.00.*; 500\.00.* was asked"):
            self.application(500).action_submit()
        with self.assertRefused(UserError, "repaid in 1 to 36 installments, not 48"):
            self.application(10000, installments=48).action_submit()

    def test_eligibility_gives_its_reasons(self):
        self.product.write({'membership_months': 6, 'seasoning_months': 3, 'guarantor_min_count': 1})
        newcomer = self.active_member()
        self.receive(newcomer, 5000, product=self.deposits)
        loan = self.application(10000, member=newcomer)
        reasons = "\n".join(loan._loan_eligibility())
        self.assertIn("after 6 months of membership", reasons)
        self.assertRegex(reasons, r"above the loan limit of 0\.00.*5,000\.00.* too recent")
        self.assertRegex(reasons, r"cover 5,000\.00.* of the 10,000\.00.* required")
        self.assertIn("needs 1 guarantors; 0 accepted so far", reasons)
        loan.action_check_eligibility()
        self.assertIn("membership", loan.eligibility_notes)
        self.product.membership_months = 0
        ok = self.application(100000, guarantors=[(self.member_with_deposits(60000), 60000)])
        ok.guarantor_ids.action_accept()
        self.assertEqual(ok._loan_eligibility(), [])

    def test_maker_checker(self):
        loan = self.application(100000, guarantors=[(self.member_with_deposits(60000), 60000)])
        loan.with_user(self.officer).action_submit()
        loan.guarantor_ids.action_accept()
        loan.with_user(self.officer).action_appraise()
        self.assertEqual(loan.appraised_by_id, self.officer)
        with self.assertRefused(UserError, "applied for .* cannot approve it"):
            loan.with_user(self.officer).action_approve()
        second = new_test_user(self.env, 'second_officer', groups='ddcpts_sacco.group_sacco_officer',
                               company_id=self.company.id, company_ids=[self.company.id])
        self.product.approval_level_ids = [(0, 0, {'amount_from': 50000,
                                                   'group_id': self.env.ref('ddcpts_sacco.group_sacco_manager').id})]
        with self.assertRefused(UserError, "must be approved by SACCO / Manager"):
            loan.with_user(second).action_approve()
        portal = new_test_user(self.env, 'borrower_manager', groups='ddcpts_sacco.group_sacco_manager',
                               partner_id=self.borrower.partner_id.id, company_id=self.company.id,
                               company_ids=[self.company.id])
        with self.assertRefused(UserError, "applied for .* cannot approve it"):
            loan.with_user(portal).action_approve()
        self.assertEqual(loan.state, 'appraisal')
        loan.with_user(self.manager).action_approve()
        self.assertRecordValues(loan, [{'state': 'approved', 'approved_by_id': self.manager.id}])

    def test_approval_needs_eligibility(self):
        guarantor = self.member_with_deposits(60000)
        loan = self.application(100000, guarantors=[(guarantor, 60000)])
        loan.action_submit()
        loan.action_appraise()  # the guarantor has not answered: the cover is short
        with self.assertRefused(UserError, "cannot be approved:\n.*cover"):
            loan.with_user(self.manager).action_approve()

    def test_sms_and_activities(self):
        guarantor = self.member_with_deposits(60000)
        loan = self.application(100000, guarantors=[(guarantor, 60000)])
        loan.action_submit()
        sms = self.env['sms.sms'].search([('partner_id', 'in', (self.borrower | guarantor).partner_id.ids)])
        self.assertEqual(sorted(sms.partner_id.ids), sorted((self.borrower | guarantor).partner_id.ids))
        self.assertIn(loan.name, sms.filtered(lambda s: s.partner_id == guarantor.partner_id).body)
        self.assertIn("Appraise loan application", loan.activity_ids.summary)
        loan.action_appraise()
        self.assertFalse(loan.activity_ids)

    def test_reject_and_withdraw_release_the_guarantors(self):
        guarantor = self.member_with_deposits(60000)
        loan = self.application(100000, guarantors=[(guarantor, 60000)])
        loan.action_submit()
        loan.guarantor_ids.action_accept()
        self.assertEqual(guarantor._loan_free_deposits()[guarantor], 0.0)
        loan.action_reject("Insufficient income")
        self.assertRecordValues(loan, [{'state': 'rejected', 'rejection_reason': "Insufficient income"}])
        self.assertEqual(loan.guarantor_ids.state, 'released')
        self.assertEqual(guarantor._loan_free_deposits()[guarantor], 60000.0)
        with self.assertRefused(UserError, "is rejected: cannot withdraw"):
            loan.action_withdraw()
        other = self.application(20000)
        other.action_withdraw()
        self.assertEqual(other.state, 'withdrawn')

    def test_limit_counts_seasoned_deposits_only(self):
        limit = self.application(1000)._loan_limit()
        self.assertEqual(limit.limit, Decimal('120000.00'))
