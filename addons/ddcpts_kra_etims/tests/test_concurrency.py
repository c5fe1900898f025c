import threading

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.ddcpts_base.tests.common import SandboxMixin, committed_env, sandbox_url
from odoo.addons.ddcpts_base.tools.locking import lock_rows

WORKERS = 4
QUEUED = 8  # invoices two workers find queued at once
DEVICE_PIN = 'P059999999Z'


@tagged('post_install', '-at_install')
class TestEtimsConcurrentPosting(SandboxMixin, TransactionCase):
    """Invoices posted at the same moment by several workers, each in its own committed transaction,
    as with Odoo's prefork workers: every one gets its own number, consecutive, in the order KRA needs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with committed_env(cls.registry) as env:
            company = env.ref('base.main_company')
            journal = env['account.journal'].search([('company_id', '=', company.id), ('type', '=', 'sale')], limit=1)
            if not journal:
                raise AssertionError("the main company needs a chart of accounts (a sales journal) for this test")
            kes = env.ref('base.KES')
            cls.kes_was_active = kes.active
            kes.active = True
            tax = env['account.tax'].create({
                'name': "eTIMS concurrency VAT 16%", 'amount': 16, 'type_tax_use': 'sale', 'company_id': company.id,
                'etims_tax_type': 'B',
            })
            item_class = env['ddcpts.etims.item.class'].create({'code': '9999999901', 'name': "Concurrency goods"})
            product = env['product.product'].create({
                'name': "eTIMS concurrency item", 'list_price': 100, 'taxes_id': [Command.set(tax.ids)],
                'etims_item_class_id': item_class.id,
            })
            partner = env['res.partner'].create({'name': "eTIMS concurrency customer"})
            device = env['ddcpts.etims.device'].create({
                'name': "Concurrency branch", 'company_id': company.id, 'tin': DEVICE_PIN,
                'serial_number': 'CONCURRENCY-1', 'environment': 'custom',
                'custom_url': f'{sandbox_url()}/etims-api/', 'timeout': 20,
            })
            journal.etims_device_id = device
            invoices = env['account.move'].create([{
                'move_type': 'out_invoice', 'partner_id': partner.id, 'journal_id': journal.id,
                'currency_id': kes.id, 'invoice_date': fields.Date.today(),
                'invoice_line_ids': [Command.create({'product_id': product.id, 'quantity': index + 1,
                                                     'price_unit': 100, 'tax_ids': [Command.set(tax.ids)]})],
            } for index in range(WORKERS + 1 + QUEUED)])  # the 5th is posted while the branch's sender is busy
            cls.ids = {'tax': tax.id, 'item_class': item_class.id, 'product': product.id, 'partner': partner.id,
                       'device': device.id, 'journal': journal.id, 'invoices': invoices[:WORKERS].ids,
                       'late_invoice': invoices[WORKERS].id, 'queued': invoices[WORKERS + 1:].ids}
        cls.addClassCleanup(cls._delete_committed_data)

    @classmethod
    def _delete_committed_data(cls):
        ids = cls.ids
        with committed_env(cls.registry) as env:
            env['account.journal'].browse(ids['journal']).etims_device_id = False
            move_ids = (*ids['invoices'], ids['late_invoice'], *ids['queued'])
            env['mail.message'].search([('model', '=', 'account.move'), ('res_id', 'in', move_ids)]).unlink()
            # signed invoices cannot be deleted through the ORM, by design
            env.cr.execute("DELETE FROM account_move WHERE id IN %s", [move_ids])
            device = env['ddcpts.etims.device'].browse(ids['device'])
            env['ddcpts.provider.call'].search([('res_model', '=', device._name), ('res_id', '=', device.id)]).unlink()
            env['ddcpts.health.status'].search([('res_model', '=', device._name), ('res_id', '=', device.id)]).unlink()
            env['ir.cron.trigger'].search([('cron_id', '=', env.ref('ddcpts_kra_etims.ir_cron_etims_send_queue').id)]
                                          ).unlink()
            device.unlink()
            env['product.product'].browse(ids['product']).product_tmpl_id.unlink()
            env['ddcpts.etims.item.class'].browse(ids['item_class']).unlink()
            env['account.tax'].browse(ids['tax']).unlink()
            env['res.partner'].browse(ids['partner']).unlink()
            env.ref('base.KES').active = cls.kes_was_active

    def test_invoices_posted_at_once_get_consecutive_distinct_numbers(self):
        self.sandbox_reset()
        # KRA answers slowly, so the workers really overlap while one of them is sending
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', delay_ms=200, times=-1)
        with committed_env(self.registry) as env:
            env['ddcpts.etims.device'].browse(self.ids['device']).action_initialize()
        barrier = threading.Barrier(WORKERS)
        errors = []

        def post(invoice_id):
            try:
                barrier.wait()
                with committed_env(self.registry) as env:
                    env['account.move'].browse(invoice_id).action_post()
                # the commit ran the post-commit sending of this worker
            except Exception as error:  # reported below, with the thread's error
                errors.append(repr(error))

        threads = [threading.Thread(target=post, args=(invoice_id,)) for invoice_id in self.ids['invoices']]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertEqual(errors, [])
        with committed_env(self.registry) as env:
            invoices = env['account.move'].browse(self.ids['invoices'])
            self.assertEqual(invoices.mapped('etims_state'), ['signed'] * WORKERS, invoices.mapped('etims_error'))
            self.assertEqual(sorted(invoices.mapped('etims_invoice_number')), list(range(1, WORKERS + 1)))
            self.assertEqual(len(set(invoices.mapped('etims_signature'))), WORKERS)
            self.assertEqual(env['ddcpts.etims.device'].browse(self.ids['device']).last_invoice_number, WORKERS)
        sales = self.sandbox('GET', 'state')['etims']['sales'][f'{DEVICE_PIN}/00']
        self.assertEqual(sales['invcNos'], list(range(1, WORKERS + 1)), "KRA received every number once, no gap")
        sent = [request['json']['invcNo'] for request in self.sandbox_requests('/etims-api/saveTrnsSalesOsdc')]
        self.assertEqual(sent, list(range(1, WORKERS + 1)), "sent in order, never twice")

    def test_zz_a_posting_never_waits_for_the_branch_sender(self):
        """While another worker sends the branch's invoices (it holds the numbering), a posting leaves at
        once; the invoice goes with the sender's next turn. (Named to run after the test above, whose
        numbers it continues.)"""
        with committed_env(self.registry) as env:
            device = env['ddcpts.etims.device'].browse(self.ids['device'])
            if device.state != 'ready':
                self.sandbox_reset()
                device.action_initialize()
            counter_id = device._etims_counter('sale').id
            number = device.last_invoice_number + 1
        errors = []

        def post():
            try:
                with committed_env(self.registry) as env:
                    env['account.move'].browse(self.ids['late_invoice']).action_post()
            except Exception as error:  # reported below, with the thread's error
                errors.append(repr(error))

        with self.registry.cursor() as sender_cr:
            sender_env = api.Environment(sender_cr, SUPERUSER_ID, {})
            self.assertTrue(lock_rows(sender_env['ddcpts.etims.counter'].browse(counter_id)))
            poster = threading.Thread(target=post)
            poster.start()
            poster.join(120)  # it would wait for sender_cr forever if postings waited for the sender
            self.assertFalse(poster.is_alive(), "the posting waited for the branch's sender")
            sender_cr.rollback()
        self.assertEqual(errors, [])

        def sent_numbers():
            return [request['json']['invcNo'] for request in self.sandbox_requests('/etims-api/saveTrnsSalesOsdc')]

        self.assertNotIn(number, sent_numbers())
        with committed_env(self.registry) as env:
            invoice = env['account.move'].browse(self.ids['late_invoice'])
            self.assertEqual((invoice.state, invoice.etims_state, invoice.etims_invoice_number),
                             ('posted', 'to_send', 0))
            env['ddcpts.etims.device'].browse(self.ids['device'])._etims_process_queue()
        with committed_env(self.registry) as env:
            invoice = env['account.move'].browse(self.ids['late_invoice'])
            self.assertEqual((invoice.etims_state, invoice.etims_invoice_number), ('signed', number))
        self.assertEqual(sent_numbers().count(number), 1)

    def test_zzz_two_workers_drain_one_queue(self):
        """Two workers (a cron and a posting, say) send the same branch's queue at the same moment: every
        invoice goes once, under consecutive numbers, in order, whoever sends it. (Named to run last.)"""
        with committed_env(self.registry) as env:
            device = env['ddcpts.etims.device'].browse(self.ids['device'])
            if device.state != 'ready':
                self.sandbox_reset()
                device.action_initialize()
            first = device.last_invoice_number + 1
            company = device.company_id
            auto_send, company.etims_auto_send = company.etims_auto_send, False
            queued = env['account.move'].browse(self.ids['queued'])
            queued.action_post()
            queued._etims_write({'etims_state': 'to_send'})  # queued, nobody sending yet
            company.etims_auto_send = auto_send
        self.sandbox('DELETE', 'rules')
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', delay_ms=100, times=-1)
        barrier = threading.Barrier(2)
        errors = []

        def drain():
            try:
                barrier.wait()
                with committed_env(self.registry) as env:
                    env['ddcpts.etims.device'].browse(self.ids['device'])._etims_process_queue()
            except Exception as error:  # reported below, with the thread's error
                errors.append(repr(error))

        workers = [threading.Thread(target=drain) for _index in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        self.assertEqual(errors, [])
        numbers = list(range(first, first + QUEUED))
        with committed_env(self.registry) as env:
            queued = env['account.move'].browse(self.ids['queued'])
            self.assertEqual(queued.mapped('etims_state'), ['signed'] * QUEUED, queued.mapped('etims_error'))
            self.assertEqual(queued.mapped('etims_invoice_number'), numbers, "numbered in the queue's order")
            self.assertEqual(env['ddcpts.etims.device'].browse(self.ids['device']).last_invoice_number, numbers[-1])
        sent = [request['json']['invcNo'] for request in self.sandbox_requests('/etims-api/saveTrnsSalesOsdc')
                if request['json']['invcNo'] >= first]
        self.assertEqual(sent, numbers, "sent in order, never twice")
        self.assertEqual(self.sandbox('GET', 'state')['etims']['sales'][f'{DEVICE_PIN}/00']['invcNos'][-QUEUED:],
                         numbers)
