from odoo.tests import tagged
from odoo.tests.common import TransactionCase


@tagged('post_install', '-at_install')
class TestDemoCompany(TransactionCase):
    """MoMo's demo: a Ghanaian company beside the Kenyan one, its sandbox provider moving EUR (make run, make test)."""

    def setUp(self):
        super().setUp()
        self.company = self.env.ref('ddcpts_momo.company_demo_ghana')
        self.provider = self.env.ref('ddcpts_momo.payment_provider_momo_demo')
        self.invoice = self.env.ref('ddcpts_momo.invoice_demo_kwame_1')

    def test_ghana_company_is_coherent_and_admin_can_switch_to_it(self):
        eur = self.env.ref('base.EUR')
        self.assertRecordValues(self.company, [{
            'country_id': self.env.ref('base.gh').id, 'currency_id': self.env.ref('base.GHS').id,
        }])
        self.assertTrue(self.company.chart_template, "the company has accounts to book payments")
        self.assertIn(self.company, self.env.ref('base.user_admin').company_ids)
        # the sandbox only moves EUR: provider, journal and invoice agree
        self.assertRecordValues(self.provider, [{
            'company_id': self.company.id, 'momo_target_environment': 'sandbox', 'momo_currency_id': eur.id,
        }])
        self.assertEqual(self.provider.journal_id.currency_id, eur)
        self.assertEqual(self.provider.journal_id.company_id, self.company)
        self.assertRecordValues(self.invoice, [{'company_id': self.company.id, 'currency_id': eur.id,
                                                'state': 'posted'}])
        steps = {step['label']: step['done'] for step in self.provider.ddcpts_setup_checklist}
        self.assertTrue(steps["Journal in the currency of the target environment (EUR)"])

        providers = self.env['payment.provider'].sudo()._get_compatible_providers(
            self.company.id, self.invoice.partner_id.id, self.invoice.amount_residual, currency_id=eur.id)
        self.assertIn(self.provider, providers)

    def test_momo_collections_on_the_overview_and_the_report(self):
        eur = self.env.ref('base.EUR')
        method = self.env.ref('ddcpts_momo.payment_method_mtn_momo')
        tx = self.env['payment.transaction'].create({
            'provider_id': self.provider.id, 'payment_method_id': method.id,
            'amount': 120.0, 'currency_id': eur.id, 'partner_id': self.invoice.partner_id.id,
            'reference': 'DEMO-MOMO-1', 'invoice_ids': [(6, 0, self.invoice.ids)],
        })
        tx._set_done()
        env = self.env(context={**self.env.context, 'allowed_company_ids': [self.company.id]})
        tiles = {tile['key']: tile for tile in env['ddcpts.dashboard'].ddcpts_get_tiles()}
        lines = {line['label']: line['value'] for line in tiles['collections']['lines']}
        self.assertIn("MTN Mobile Money today", lines)
        self.assertIn('120.00', lines["MTN Mobile Money today"])
        self.assertIn('€', lines["MTN Mobile Money this month"])

        env.flush_all()
        report = env['ddcpts.collection.report'].search([('provider_code', '=', 'momo'), ('state', '=', 'done')])
        self.assertIn(tx.id, report.ids)
        self.assertEqual(report.filtered(lambda line: line.id == tx.id).amount_collected, 120.0)
