from odoo.tests import tagged
from odoo.tests.common import HttpCase


@tagged('post_install', '-at_install')
class TestSaccoLoanTour(HttpCase):
    """A loan officer's flow in the browser on the demo SACCO: a new application, its schedule, submitted."""

    def test_officer_applies_previews_and_submits(self):
        company = self.env.ref('base.demo_company_ke')  # admin works there, where the demo SACCO is
        self.env = self.env(context=dict(self.env.context, allowed_company_ids=company.ids))
        cash = self.env['account.account'].create({'code': '108811', 'name': "Tour Cash", 'account_type': 'asset_cash',
                                                   'company_ids': company.ids})
        company.sacco_registration_fee = 0
        member = self.env['ddcpts.sacco.member'].with_company(company).create({
            'name': "Tour Borrower", 'national_id': '31415927', 'kra_pin': 'A012345678Z', 'birthdate': '1990-01-31',
            'phone': '0799 123 457', 'company_id': company.id})
        member.action_activate()
        member._sacco_account(self.env.ref('ddcpts_sacco.product_deposits'))._sacco_post(40000, cash, date='2025-01-31')
        self.start_tour('/odoo/action-ddcpts_sacco_loan.ddcpts_sacco_loan_action', 'ddcpts_sacco_loan_officer',
                        login='admin')
        loan = self.env['ddcpts.sacco.loan'].search([('member_id', '=', member.id)])
        self.assertRecordValues(loan, [{'state': 'submitted', 'amount_requested': 60000, 'installments': 12,
                                        'product_id': self.env.ref('ddcpts_sacco_loan.loan_product_development').id}])
        self.assertEqual(len(loan.line_ids), 12)
