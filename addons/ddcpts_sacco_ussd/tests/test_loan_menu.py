from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common import PIN, SaccoUssdCase


@tagged('post_install', '-at_install')
class TestLoanMenu(SaccoUssdCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.deposit(cls.member, 10000)

    def setUp(self):
        super().setUp()
        self.set_pin(PIN)

    def member_loans(self):
        return self.env['ddcpts.sacco.loan'].search([('member_id', '=', self.member.id)])

    def test_limit_then_apply_within_it_auto_approved(self):
        self.assertEqual(self.dial(['4', PIN, '2'])[3], "END You may borrow\nDevelopment Loan: KES 30,000.00")
        screens = self.dial(['4', PIN, '3', '1', '40000', '20000', '6', '1'], session='ATUid_s2')
        self.assertEqual(screens[2],
                         "CON Loans\n1. My loans\n2. Loan limit\n3. Apply for a loan\n4. Repay a loan\n0. Back")
        self.assertEqual(screens[3], "CON Choose a loan\n1. Development Loan\n0. Back")
        self.assertEqual(screens[4], "CON Amount (1000 to 30000)\n0. Back")
        self.assertEqual(screens[5], "CON Enter 1000 to 30000.\nAmount (1000 to 30000)\n0. Back", "above the limit")
        self.assertEqual(screens[6], "CON Number of installments (1 to 24)\n0. Back")
        self.assertEqual(screens[7], "CON Borrow KES 20,000.00, Development Loan, 12% a year, 6 installments "
                                     "(monthly)?\n1. Confirm\n0. Back")
        loan = self.member_loans()
        self.assertRecordValues(loan, [{'state': 'approved', 'amount_requested': 20000, 'installments': 6,
                                        'disbursement_method': 'mobile'}])
        self.assertEqual(screens[8], f"END Loan {loan.name} of KES 20,000.00 is approved. The money will be sent to "
                                     f"your phone.")
        self.assertEqual(len(loan.line_ids), 6, "the schedule was previewed at submission")
        self.assertTrue([body for body in loan.message_ids.mapped('body') if "Approved automatically" in body])
        self.assertEqual(self.dial(['4', PIN, '1'], session='ATUid_s3')[3],
                         f"END Your loans\n{loan.name} Approved: KES 20,000.00")

    def test_loan_limit_in_the_mtn_format(self):
        self.mtn('')
        self.mtn('4')
        self.assertEqual(self.mtn(f'4*{PIN}')['ussdString'],
                         "Loans\n1. My loans\n2. Loan limit\n3. Apply for a loan\n4. Repay a loan\n0. Back")
        last = self.mtn(f'4*{PIN}*2')
        self.assertEqual((last['ussdString'], last['continueSession']),
                         ("You may borrow\nDevelopment Loan: KES 30,000.00", False))

    def test_application_waits_for_an_officer_unless_the_product_allows_auto_approval(self):
        self.loan_product.auto_approval = False
        screens = self.dial(['4', PIN, '3', '1', '5000', '3', '1'])
        loan = self.member_loans()
        self.assertEqual(loan.state, 'submitted')
        self.assertEqual(screens[-1], f"END Application {loan.name} for KES 5,000.00 received. We will send you an SMS "
                                      f"when it is decided.")

    def test_auto_approval_only_when_eligible(self):
        self.loan_product.guarantor_cover_percent = 100
        self.dial(['4', PIN, '3', '1', '15000', '3', '1'])
        loan = self.member_loans()
        self.assertEqual(loan.state, 'submitted', "10 000 of deposits do not cover 15 000: guarantors are needed")

    def test_limit_below_the_minimum_and_member_without_deposits(self):
        self.loan_product.amount_min = 50000
        self.assertEqual(self.dial(['4', PIN, '3', '1'])[4], "END Your limit for Development Loan is KES 30,000.00, "
                                                             "below its minimum of KES 50,000.00.")

    def test_repay_an_active_loan_gives_the_paybill_reference_without_a_push_provider(self):
        self.assertEqual(self.dial(['4', PIN, '4'])[3], "END You have no loan to repay.")
        loan = self.env['ddcpts.sacco.loan'].create({
            'member_id': self.member.id, 'product_id': self.loan_product.id, 'amount_requested': 12000,
            'installments': 12, 'disbursement_method': 'cash', 'disbursement_journal_id': self.cash_journal.id})
        loan.write({'state': 'approved'})
        loan.action_disburse()
        screens = self.dial(['4', PIN, '4', '1'], session='ATUid_s2')
        self.assertEqual(screens[3], f"CON Repay\n1. {loan.name} KES {loan.total_outstanding:,.2f}\n0. Back")
        self.assertEqual(screens[4], f"END Pay to our paybill with account number {loan.name}.")
        self.assertIn(f"{loan.name} owes KES {loan.total_outstanding:,.2f}, next due "
                      f"{loan.next_due_date:%d/%m/%y}", self.dial(['4', PIN, '1'], session='ATUid_s3')[3])

    def test_guarantee_requests_accepted_and_declined(self):
        self.assertEqual(self.dial(['5', PIN])[2], "END Nobody asked you to guarantee a loan.")
        borrowers = self.env['ddcpts.sacco.member'].create([{
            'name': name, 'national_id': national_id, 'kra_pin': 'A009876543B', 'birthdate': '1985-01-01',
            'phone': phone} for name, national_id, phone in (("Otieno Ouma", '29000002', '0799 000 002'),
                                                              ("Achieng Atieno", '29000003', '0799 000 003'))])
        borrowers.action_activate()
        loans = self.env['ddcpts.sacco.loan'].create([{
            'member_id': borrower.id, 'product_id': self.loan_product.id, 'amount_requested': 9000,
            'installments': 6, 'guarantor_ids': [Command.create({'member_id': self.member.id, 'amount': amount})],
        } for borrower, amount in zip(borrowers, (3000, 2500))])
        screens = self.dial(['5', PIN, '1', '1'], session='ATUid_s2')
        self.assertEqual(screens[2], "CON Guarantee requests\n1. Otieno Ouma KES 3,000.00\n2. Achieng Atieno KES "
                                     "2,500.00\n0. Back")
        self.assertEqual(screens[3], f"CON Guarantee KES 3,000.00 of loan {loans[0].name} of Otieno Ouma (KES "
                                     f"9,000.00)?\n1. Accept\n2. Decline\n0. Back")
        self.assertEqual(screens[4], f"END You guarantee KES 3,000.00 of loan {loans[0].name}. Thank you.")
        self.assertEqual(self.dial(['5', PIN, '1', '2'], session='ATUid_s3')[4],
                         f"END You declined to guarantee loan {loans[1].name}.")
        self.assertEqual(loans.guarantor_ids.mapped('state'), ['accepted', 'declined'])
        self.assertTrue(all(pledge.answered_on <= fields.Datetime.now() for pledge in loans.guarantor_ids))

    def test_application_goes_to_the_products_officer_or_to_every_officers_queue(self):
        officers = [new_test_user(self.env, f'ussd_officer_{n}', groups='ddcpts_sacco.group_sacco_officer',
                                  email=False, company_id=self.company.id, company_ids=[self.company.id])
                    for n in range(2)]
        self.loan_product.write({'auto_approval': False, 'self_service_user_id': officers[0].id})
        self.dial(['4', PIN, '3', '1', '5000', '3', '1'])
        loan = self.member_loans()
        self.assertEqual(loan.user_id, officers[0], "the product's officer, not the USSD gateway's user")
        self.assertEqual(loan.activity_ids.user_id, officers[0])

        # no officer on the product: unassigned, in the queue of each officer of the SACCO
        loan.action_withdraw()
        self.loan_product.self_service_user_id = False
        self.dial(['4', PIN, '3', '1', '6000', '3', '1'], session='ATUid_s2')
        loan = self.member_loans().filtered(lambda application: application.state == 'submitted')
        self.assertFalse(loan.user_id)
        self.assertIn(loan, self.env['ddcpts.sacco.loan'].search([('user_id', '=', False)]), "Unassigned filter")
        queue = loan.activity_ids
        self.assertEqual(set(queue.mapped('summary')), {f"Appraise loan application {loan.name}"})
        self.assertTrue(set(officers) <= set(queue.user_id), queue.user_id.mapped('login'))
        self.assertNotIn(self.env.ref('base.user_root'), queue.user_id)
        # an officer takes it by appraising it: theirs, and gone from the other queues
        loan.with_user(officers[1]).action_appraise()
        self.assertEqual(loan.user_id, officers[1])
        self.assertFalse(loan.activity_ids, "the appraisal closed the to-do in every queue")

    def test_officer_assigned_to_a_queued_application_gets_its_to_do(self):
        officers = [new_test_user(self.env, f'queue_officer_{n}', groups='ddcpts_sacco.group_sacco_officer',
                                  email=False, company_id=self.company.id, company_ids=[self.company.id])
                    for n in range(2)]
        self.loan_product.auto_approval = False
        self.dial(['4', PIN, '3', '1', '5000', '3', '1'])
        loan = self.member_loans()
        self.assertGreaterEqual(len(loan.activity_ids), 2)
        loan.user_id = officers[1]
        self.assertEqual(loan.activity_ids.user_id, officers[1])
        self.assertEqual(len(loan.activity_ids), 1)
