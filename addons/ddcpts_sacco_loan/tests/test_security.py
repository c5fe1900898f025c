from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import LoanCase


@tagged('post_install', '-at_install')
class TestLoanSecurity(LoanCase):

    def test_portal_members_see_their_own_loans_only(self):
        guarantor = self.member_with_deposits(60000)
        mine = self.disbursed(100000, guarantors=[(guarantor, 60000)])
        other = self.disbursed(20000, member=self.member_with_deposits(20000))
        portal = new_test_user(self.env, 'loan_portal', groups='base.group_portal',
                               partner_id=self.borrower.partner_id.id, company_id=self.company.id,
                               company_ids=[self.company.id])
        Loan = self.Loan.with_user(portal)
        self.assertEqual(Loan.search([]), mine)
        self.assertEqual(len(mine.with_user(portal).line_ids), 12)
        with self.assertRaises(AccessError):
            other.with_user(portal).read(['name'])
        with self.assertRaises(AccessError):
            mine.with_user(portal).write({'purpose': "changed"})
        guarantor_user = new_test_user(self.env, 'guarantor_portal', groups='base.group_portal',
                                       partner_id=guarantor.partner_id.id, company_id=self.company.id,
                                       company_ids=[self.company.id])
        self.assertEqual(self.env['ddcpts.sacco.loan.guarantor'].with_user(guarantor_user).search([]),
                         mine.guarantor_ids, "a guarantor sees the pledge asked of them")
        self.assertFalse(Loan.with_user(guarantor_user).search([]), "but not the borrower's loan")

    def test_companies_and_roles(self):
        loan = self.disbursed(100000)
        other_company = self.sacco_company("Other SACCO")
        stranger = new_test_user(self.env, 'other_company_officer', groups='ddcpts_sacco.group_sacco_officer',
                                 company_id=other_company.id, company_ids=[other_company.id])
        self.assertFalse(self.Loan.with_user(stranger).with_context(allowed_company_ids=other_company.ids).search([]))
        auditor = new_test_user(self.env, 'loan_auditor', groups='ddcpts_sacco.group_sacco_auditor',
                                company_id=self.company.id, company_ids=[self.company.id])
        self.assertEqual(self.Loan.with_user(auditor).search([('id', '=', loan.id)]), loan)
        with self.assertRaises(AccessError):
            loan.with_user(auditor).write({'purpose': "changed"})
        with self.assertRaises(AccessError):
            loan.line_ids[0].with_user(self.officer).write({'principal': 1})
        with self.assertRaises(AccessError):
            self.product.with_user(self.officer).write({'annual_rate': 1})
