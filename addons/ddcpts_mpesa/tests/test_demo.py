from odoo.tests import tagged
from odoo.tests.common import TransactionCase


@tagged('post_install', '-at_install')
class TestDemoCompany(TransactionCase):
    """The demo is one Kenyan company where M-Pesa works out of the box (make run, make test)."""

    def test_demo_invoice_offers_mpesa_on_the_portal(self):
        company = self.env.ref('base.demo_company_ke')
        invoice = self.env.ref('ddcpts_mpesa.invoice_demo_wanjiku_1')
        provider = self.env.ref('ddcpts_mpesa.payment_provider_mpesa')
        self.assertRecordValues(invoice, [{
            'company_id': company.id, 'currency_id': self.env.ref('base.KES').id, 'state': 'posted',
        }])
        self.assertEqual(company.currency_id, self.env.ref('base.KES'))
        self.assertEqual(invoice.invoice_line_ids.tax_ids.amount, 16.0, "Kenyan VAT")
        self.assertEqual(self.env.ref('base.user_admin').company_id, company, "admin works in it")
        self.assertEqual(provider.company_id, company)
        if 'etims_state' in invoice._fields:  # with ddcpts_kra_etims (make test installs it): signed by KRA
            self.assertEqual(invoice.etims_state, 'signed')

        providers = self.env['payment.provider'].sudo()._get_compatible_providers(
            company.id, invoice.partner_id.id, invoice.amount_residual, currency_id=invoice.currency_id.id)
        self.assertIn(provider, providers)
        methods = self.env['payment.method'].sudo()._get_compatible_payment_methods(
            providers.ids, invoice.partner_id.id, currency_id=invoice.currency_id.id)
        self.assertIn(self.env.ref('payment.payment_method_mpesa'), methods)
