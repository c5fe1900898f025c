import pytz

from odoo.tests import tagged

from odoo.addons.ddcpts_kra_etims.tests.common import COMPANY_PIN, CUSTOMER_PIN, EtimsCase


@tagged('post_install', '-at_install')
class TestPrintedInvoice(EtimsCase):

    def test_printed_invoice_shows_both_pins_and_kenya_time(self):
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual(invoice.etims_state, 'signed')
        self.assertTrue(invoice.etims_qr_code, "the QR code is on the invoice form too")
        signed_at = pytz.utc.localize(invoice.etims_sdc_datetime)
        nairobi = signed_at.astimezone(pytz.timezone('Africa/Nairobi')).strftime('%H:%M:%S')
        new_york = signed_at.astimezone(pytz.timezone('America/New_York')).strftime('%H:%M:%S')
        # printed by someone in New York: the SCU time stays KRA's
        self.env.user.tz = 'America/New_York'
        html = self.env['ir.actions.report'].with_context(tz='America/New_York')._render_qweb_html(
            'account.report_invoice', invoice.ids)[0].decode()
        self.assertIn(COMPANY_PIN, html, "the seller's KRA PIN")
        self.assertIn(CUSTOMER_PIN, html, "the buyer's KRA PIN")
        self.assertIn(f'{nairobi}</span> (EAT)', html)
        self.assertNotIn(new_york, html)

    def test_demo_device_is_initialized_against_the_simulator(self):
        device = self.env.ref('ddcpts_kra_etims.demo_etims_device_ke').sudo()
        self.assertEqual(device.company_id, self.env.ref('base.demo_company_ke'))
        self.assertEqual(device.state, 'ready')
        self.assertTrue(device.sdc_id)
