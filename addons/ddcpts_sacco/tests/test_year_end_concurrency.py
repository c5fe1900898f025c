import threading

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.ddcpts_base.tests.common import committed_env


@tagged('post_install', '-at_install')
class TestYearEndConcurrency(TransactionCase):
    """Real transactions, committed as in production: two workers post the same approved run at once."""

    def setUp(self):
        super().setUp()
        with committed_env(self.registry) as env:
            company = env.company
            Account = env['account.account'].with_company(company)
            expense = Account.create({'code': '619801', 'name': "Concurrent Interest", 'account_type': 'expense'})
            savings_gl = Account.create({'code': '229801', 'name': "Concurrent Savings",
                                         'account_type': 'liability_current'})
            journal = env['account.journal'].create({'name': "Concurrent SACCO", 'code': 'CCSAC', 'type': 'general',
                                                     'company_id': company.id})
            product = env['ddcpts.sacco.product'].create({'name': "Concurrent Savings", 'code': 'CCSAV',
                                                          'kind': 'savings', 'account_id': savings_gl.id})
            members = env['ddcpts.sacco.member'].create([
                {'name': f"Concurrent {index}", 'national_id': f'3980000{index}', 'phone': f'07119800{index:02d}'}
                for index in range(3)])
            run = env['ddcpts.sacco.interest.run'].create({
                'name': "Concurrent 2025", 'kind': 'interest', 'product_ids': product.ids, 'date_from': '2025-01-01',
                'date_to': '2025-12-31', 'rate': 10, 'credit_product_id': product.id,
                'expense_account_id': expense.id, 'state': 'approved',
                'line_ids': [(0, 0, {'member_id': member.id, 'basis': 1000 * (index + 1),
                                     'gross': 100 * (index + 1), 'tax': 0, 'net': 100 * (index + 1)})
                             for index, member in enumerate(members)],
            })
            company.sacco_journal_id, self.previous_journal = journal, company.sacco_journal_id.id
            self.data = {'company': company.id, 'accounts': (expense | savings_gl).ids, 'journal': journal.id,
                        'product': product.id, 'members': members.ids, 'run': run.id}
        self.addCleanup(self._delete_committed_data)

    def _delete_committed_data(self):
        ids = self.data
        with committed_env(self.registry) as env:
            env['res.company'].browse(ids['company']).sacco_journal_id = self.previous_journal
            moves = env['account.move'].search([('journal_id', '=', ids['journal'])])
            moves.button_draft()
            moves.with_context(force_delete=True).unlink()
            env['ddcpts.sacco.interest.run'].browse(ids['run']).unlink()
            members = env['ddcpts.sacco.member'].browse(ids['members'])
            members.account_ids.unlink()
            partners = members.partner_id
            members.unlink()
            partners.unlink()
            env['ddcpts.sacco.product'].browse(ids['product']).unlink()
            env['account.journal'].browse(ids['journal']).unlink()
            env['account.account'].browse(ids['accounts']).unlink()

    def test_two_workers_posting_the_same_run_post_it_once(self):
        both_read = threading.Barrier(2, timeout=60)
        outcomes = []

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    run = env['ddcpts.sacco.interest.run'].browse(self.data['run'])
                    # both transactions see the run approved and nothing posted before either posts
                    self.assertEqual((run.state, run.line_ids.move_id), ('approved', env['account.move']))
                    both_read.wait()
                    run.action_post()
                    outcomes.append('posted')
            except UserError as error:
                outcomes.append(str(error))
            except Exception as error:  # reported by the test thread
                outcomes.append(repr(error))

        threads = [threading.Thread(target=worker, name=f'year-end-poster-{index}') for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertEqual(len(outcomes), 2)
        self.assertIn('posted', outcomes)
        self.assertIn(outcomes[1 - outcomes.index('posted')], (
            "Concurrent 2025 is being posted by someone else: reload it in a moment.",
        ), "the second poster is refused, whether it came while the first held the run or just after")
        with committed_env(self.registry) as env:
            run = env['ddcpts.sacco.interest.run'].browse(self.data['run'])
            self.assertEqual(run.state, 'posted')
            moves = env['account.move'].search([('journal_id', '=', self.data['journal'])])
            self.assertEqual(len(moves), 1, "one entry: nobody was credited twice")
            self.assertEqual(run.line_ids.move_id, moves)
            savings = {account.member_id.id: account.balance for account in
                       env['ddcpts.sacco.account'].search([('product_id', '=', self.data['product'])])}
            self.assertEqual(savings, dict(zip(self.data['members'], (100, 200, 300))))
            with self.assertRaisesRegex(UserError, "is posted already"):
                run.action_post()  # a late double click
