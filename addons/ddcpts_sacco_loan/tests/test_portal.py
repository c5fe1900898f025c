"""Borrowers follow their loans and guarantors answer requests on the portal, over real HTTP (the repayment
through a provider: tests/test_sacco_loan_portal.py)."""
import re

from odoo.tests import new_test_user, tagged
from odoo.tests.common import HttpCase

from odoo.addons.ddcpts_sacco.tests.common import SaccoPortalPaymentMixin

from .common import LoanCase


@tagged('post_install', '-at_install')
class TestLoanPortal(SaccoPortalPaymentMixin, LoanCase, HttpCase):

    def setUp(self):
        super().setUp()
        self.guarantor = self.member_with_deposits(60000)
        self.loan = self.disbursed(100000, guarantors=[(self.guarantor, 60000)])
        self.borrower_user = self.portal_user('loan_borrower', self.borrower)
        self.portal_user('loan_guarantor', self.guarantor)
        self.others_loan = self.disbursed(20000, member=self.member_with_deposits(20000),
                                          guarantors=[(self.member_with_deposits(20000), 20000)])

    def portal_user(self, login, member):
        return new_test_user(self.env, login, groups='base.group_portal', partner_id=member.partner_id.id,
                             company_id=self.company.id, company_ids=self.company.ids)

    def test_my_loans_list_and_page(self):
        self.repay(self.loan, 5000, '2026-02-10')
        self.authenticate('loan_borrower', 'loan_borrower')
        home = self.url_open('/my/home')
        self.assertIn('href="/my/sacco/loans"', home.text)
        counters = self.make_jsonrpc_request('/my/counters', {'counters': ['sacco_loan_count',
                                                                           'sacco_guarantee_count']})
        self.assertEqual(counters, {'sacco_loan_count': 1, 'sacco_guarantee_count': 0})

        page = self.url_open('/my/sacco/loans')
        self.assertEqual(page.status_code, 200)
        [row] = re.findall(r'<tr class="o_sacco_portal_loan">(.*?)</tr>', page.text, re.S)
        self.assertIn(f'href="/my/sacco/loans/{self.loan.id}"', row)
        first = self.loan.line_ids.sorted('due_date').filtered(lambda line: line.state != 'paid')[:1]
        cells = [re.sub(r'<[^>]+>|\s+', ' ', cell).strip() for cell in re.findall(r'<td[^>]*>(.*?)</td>', row, re.S)]
        self.assertEqual(cells[:3], [self.loan.name, "Development Loan", "Active"])
        self.assertIn("100,000.00", cells[3])
        self.assertIn(f"{self.loan.total_outstanding:,.2f}", cells[4])
        self.assertEqual(cells[5], first.due_date.strftime('%m/%d/%Y'))
        self.assertIn(f"{first.outstanding:,.2f}", cells[6])
        self.assertEqual(cells[7], str(self.loan.days_in_arrears))
        self.assertIn(f'href="/my/sacco/loans/{self.loan.id}/repay"', row)
        self.assertNotIn(self.others_loan.name, page.text)

        page = self.url_open(f'/my/sacco/loans/{self.loan.id}')
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.text.count('o_sacco_loan_installment'), 12)
        [repayment] = re.findall(r'<tr class="o_sacco_loan_repayment">(.*?)</tr>', page.text, re.S)
        self.assertIn("5,000.00", repayment)
        self.assertIn("TEST", repayment)

    def test_someone_elses_loan_is_not_found(self):
        self.authenticate('loan_borrower', 'loan_borrower')
        for url in (f'/my/sacco/loans/{self.others_loan.id}', '/my/sacco/loans/999999999'):
            self.assertEqual(self.url_open(url).status_code, 404, url)
        page = self.url_open(f'/my/sacco/loans/{self.others_loan.id}/repay?amount=100')
        self.assertTrue(page.url.endswith('/my/sacco/loans'), "someone else's loan: back to one's own")
        self.assertNotIn(self.others_loan.name, page.text)
        # the same person, now a user of another company only: the SACCO's loans are out of reach
        other_company = self.sacco_company("Other SACCO")
        self.borrower_user.write({'company_ids': [(4, other_company.id)], 'company_id': other_company.id})
        self.borrower_user.write({'company_ids': [(3, self.company.id)]})
        self.assertEqual(self.url_open(f'/my/sacco/loans/{self.loan.id}').status_code, 404)
        self.assertNotIn(self.loan.name, self.url_open('/my/sacco/loans').text)

    def access_token(self, amount, currency):
        return self.payment_access_token(self.borrower.partner_id, amount, currency)

    def start_repayment(self, loan, amount=500, token=None):
        return self.start_portal_payment(f'/my/sacco/loans/{loan.id}/repay/transaction', self.borrower.partner_id,
                                         loan.currency_id, amount=amount, token=token)

    def test_repayment_refused_for_others_forged_or_not_positive(self):
        self.authenticate('loan_borrower', 'loan_borrower')
        page = self.url_open(f'/my/sacco/loans/{self.loan.id}/repay')
        self.assertIn(f"Repay {self.loan.name}", page.text)
        self.assertNotIn('o_sacco_loan_repay_payment', page.text, "the amount comes first")
        first = self.loan.line_ids.sorted('due_date')[:1]
        self.assertIn(f'value="{first.outstanding}"', page.text, "the next installment is suggested")
        Tx = self.env['payment.transaction']
        before = Tx.search_count([])
        self.assertEqual(self.start_repayment(self.others_loan), "You can only repay your own active loans.")
        submitted = self.application(10000)
        submitted.with_user(self.officer).action_submit()
        self.assertEqual(self.start_repayment(submitted), "You can only repay your own active loans.",
                         "an application is not repaid")
        self.assertNotIn(f'/my/sacco/loans/{submitted.id}/repay', self.url_open('/my/sacco/loans').text)
        self.assertEqual(self.start_repayment(self.loan, token='forged'), "The access token is invalid.")
        token = self.access_token(500, self.loan.currency_id)
        self.assertEqual(self.start_repayment(self.loan, amount=5000, token=token), "The access token is invalid.",
                         "a token for 500 does not pay 5 000")
        for amount in (0, -500):
            self.assertEqual(self.start_repayment(self.loan, amount=amount), "The access token is invalid.")
        self.assertEqual(Tx.search_count([]), before, "no transaction was created")
        self.assertEqual(len(self.loan.transaction_ids), 1, "the disbursement only")

    def guarantee_request(self, pledge=30000):
        """A loan of another member submitted with the guarantor's pledge requested."""
        loan = self.application(50000, member=self.member_with_deposits(20000), guarantors=[(self.guarantor, pledge)])
        loan.with_user(self.officer).action_submit()
        return loan.guarantor_ids

    def answer(self, pledge, answer, csrf=True):
        data = {'csrf_token': self.csrf_token() if csrf else 'forged'}
        return self.url_open(f'/my/sacco/guarantees/{pledge.id}/{answer}', data=data)

    def csrf_token(self):
        """The session's token, as every portal page gives it to its scripts."""
        page = self.url_open('/my/sacco/guarantees')
        return re.search(r'csrf_token: "([^"]+)"', page.text).group(1)

    def test_guarantor_accepts_and_declines_their_own_requests(self):
        # the guarantor's 60 000 back the active loan: 40 000 more are needed for this pledge
        self.receive(self.guarantor, 40000, product=self.deposits, date='2025-01-15')
        accepted, declined = self.guarantee_request(), self.guarantee_request(20000)
        self.authenticate('loan_guarantor', 'loan_guarantor')
        counters = self.make_jsonrpc_request('/my/counters', {'counters': ['sacco_guarantee_count']})
        self.assertEqual(counters, {'sacco_guarantee_count': 2})
        page = self.url_open('/my/sacco/guarantees')
        rows = re.findall(r'<tr class="o_sacco_guarantee">(.*?)</tr>', page.text, re.S)
        self.assertEqual(len(rows), 3, "both requests and the accepted guarantee of the active loan")
        self.assertIn(declined.loan_id.member_id.name, rows[0])
        self.assertIn("50,000.00", rows[0])
        self.assertIn("20,000.00", rows[0])
        self.assertIn(f'/my/sacco/guarantees/{declined.id}/decline', rows[0])
        self.assertNotIn('/accept', rows[2], "answered already")

        self.assertEqual(self.answer(accepted, 'accept', csrf=False).status_code, 400, "the CSRF token is checked")
        self.assertEqual(accepted.state, 'requested')
        response = self.answer(accepted, 'accept')
        self.assertTrue(response.url.endswith('/my/sacco/guarantees?answered=accepted'))
        self.assertEqual(accepted.state, 'accepted')
        self.assertIn("accepted to guarantee", accepted.loan_id.message_ids[0].body)
        self.answer(declined, 'decline')
        self.assertEqual(declined.state, 'declined')
        response = self.answer(declined, 'accept')
        self.assertIn("was answered already", response.text)
        self.assertEqual(declined.state, 'declined')

    def test_guarantor_accepts_in_the_browser(self):
        self.receive(self.guarantor, 40000, product=self.deposits, date='2025-01-15')
        pledge = self.guarantee_request()
        self.start_tour('/my/home', 'ddcpts_sacco_loan_guarantor_portal', login='loan_guarantor')
        self.assertEqual(pledge.state, 'accepted')

    def test_accepting_rechecks_free_deposits(self):
        # 40 000 free beyond the active loan's guarantee: enough for each request, not for both
        self.receive(self.guarantor, 40000, product=self.deposits, date='2025-01-15')
        first, pledge = self.guarantee_request(30000), self.guarantee_request(30000)
        first.action_accept()
        self.authenticate('loan_guarantor', 'loan_guarantor')
        response = self.answer(pledge, 'accept')
        self.assertEqual(response.status_code, 200)
        self.assertRegex(response.text, r'o_sacco_guarantee_error[^>]*>[^<]*free deposits')
        self.assertEqual(pledge.state, 'requested')

    def test_only_ones_own_requests(self):
        self.receive(self.guarantor, 40000, product=self.deposits, date='2025-01-15')
        pledge = self.guarantee_request()
        # the borrower of a loan reads its pledges (record rules) but answers none of them
        self.authenticate('loan_borrower', 'loan_borrower')
        self.assertNotIn('o_sacco_guarantee"', self.url_open('/my/sacco/guarantees').text)
        for other in (pledge, self.loan.guarantor_ids):
            for answer in ('accept', 'decline'):
                self.assertEqual(self.answer(other, answer).status_code, 404)
        self.assertEqual(pledge.state, 'requested')
        self.assertEqual(self.loan.guarantor_ids.state, 'accepted')
