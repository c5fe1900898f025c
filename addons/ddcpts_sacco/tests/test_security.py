"""Who sees and changes what: officers, managers, auditors, portal members, companies, API keys."""
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import HttpCase

from .common import SaccoPeopleMixin


@tagged('post_install', '-at_install')
class TestSaccoAccess(SaccoPeopleMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sacco_people()

    def test_officer_onboards_and_books_even_without_an_email(self):
        Member = self.env['ddcpts.sacco.member'].with_user(self.officer)
        member = Member.create({'name': "Chebet Rono", 'national_id': '27001003', 'kra_pin': 'A012345678Z',
                                'birthdate': '1999-09-09', 'phone': '0711 000 003'})
        member.action_activate()
        self.env['ddcpts.sacco.receipt'].with_user(self.officer).create({
            'member_id': member.id, 'product_id': self.savings.id, 'amount': 350,
            'journal_id': self.cash_journal.id}).action_post()
        self.assertEqual(member.account_ids.filtered(lambda a: a.product_id == self.savings).balance, 350)
        self.assertEqual(member.message_ids[0].author_id, self.officer.partner_id)
        with self.assertRaises(AccessError):
            self.shares.with_user(self.officer).write({'minimum_balance': 1})
        with self.assertRaises(AccessError):
            member.with_user(self.officer).unlink()

    def test_auditor_reads_everything_and_changes_nothing(self):
        Member = self.env['ddcpts.sacco.member'].with_user(self.auditor)
        self.assertEqual(Member.search([('company_id', '=', self.company.id)]), self.amina | self.brian)
        self.assertEqual(sorted(Member.browse(self.brian.id).account_ids.mapped('balance')), [0, 0, 9900])
        with self.assertRaises(AccessError):
            Member.create({'name': "X", 'national_id': '1', 'phone': '0711 000 009'})
        with self.assertRaises(AccessError):
            self.amina.with_user(self.auditor).write({'name': "Changed"})
        with self.assertRaises(AccessError):
            self.env['ddcpts.sacco.receipt'].with_user(self.auditor).create({
                'member_id': self.amina.id, 'product_id': self.savings.id, 'amount': 1,
                'journal_id': self.cash_journal.id})

    def test_companies_are_kept_apart(self):
        Member = self.env['ddcpts.sacco.member']
        ghana = self.env(user=self.other_officer, context={'allowed_company_ids': self.other_company.ids})
        self.assertEqual(ghana['ddcpts.sacco.member'].search([]), self.kofi)
        self.assertEqual(Member.with_user(self.officer).search([('company_id', '=', self.company.id)]),
                         self.amina | self.brian)
        self.assertNotIn(self.kofi, Member.with_user(self.officer).search([]))
        with self.assertRaises(AccessError):
            self.amina.with_env(ghana).read(['name'])
        with self.assertRaises(AccessError):
            self.shares.with_env(ghana).read(['name'])

    def test_portal_member_sees_only_their_own_data(self):
        Member = self.env['ddcpts.sacco.member'].with_user(self.portal_amina)
        self.assertEqual(Member.search([]), self.amina)
        self.assertEqual(self.env['ddcpts.sacco.account'].with_user(self.portal_amina).search([]),
                         self.amina.account_ids)
        with self.assertRaises(AccessError):
            self.brian.with_user(self.portal_amina).read(['name'])
        with self.assertRaises(AccessError):
            self.amina.with_user(self.portal_amina).write({'name': "Changed"})

        self.authenticate('amina_portal', 'amina_portal')
        page = self.url_open('/my/sacco')
        self.assertEqual(page.status_code, 200)
        self.assertIn(f'{self.amina.number}-DEP', page.text)
        self.assertIn('4,200.00', page.text)
        self.assertNotIn(self.brian.number, page.text)
        self.assertNotIn('9,900.00', page.text)
        self.assertIn('My SACCO Accounts', self.url_open('/my/home').text)

        deposits = self.amina.account_ids.filtered(lambda account: account.product_id == self.deposits)
        page = self.url_open(f'/my/sacco/statement/{deposits.id}?date_from=2000-01-01')
        self.assertEqual(page.status_code, 200)
        self.assertIn('Closing balance', page.text)
        self.assertEqual(page.text.count('o_sacco_statement_line'), 1)
        brians = self.brian.account_ids.filtered(lambda account: account.product_id == self.deposits)
        page = self.url_open(f'/my/sacco/statement/{brians.id}')
        self.assertTrue(page.url.endswith('/my/sacco'), "someone else's statement: back to the member's own page")
        self.assertNotIn('9,900.00', page.text)
