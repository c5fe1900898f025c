from urllib.parse import urlencode

from odoo.tests import tagged

from odoo.addons.ddcpts_mpesa.tests.common import MpesaHttpCommon


@tagged('post_install', '-at_install')
class TestPortalTour(MpesaHttpCommon):

    def test_customer_pays_an_invoice_from_the_portal_with_mpesa(self):
        """Portal invoice > Pay Now > M-Pesa > the simulator approves > the invoice is paid."""
        invoice = self.create_invoice(1500)
        # the simulator holds the callback until the tour, once the status page asks the customer to
        # check their phone, tells it to send it: the order is fixed whatever the machine's load
        self.sandbox_reset()
        self.env.flush_all()
        self.start_tour(f"{invoice.get_portal_url()}#{urlencode({'ddcpts_sandbox': self.sandbox_url()})}",
                        'ddcpts_mpesa_portal_invoice_payment')
        self.env.invalidate_all()
        self.assertEqual([callback['state'] for callback in self.sandbox('GET', 'callbacks')['callbacks']],
                         ['delivered'])
        tx = invoice.transaction_ids
        self.assertRecordValues(tx, [{'state': 'done', 'mpesa_phone': '254708374149', 'provider_id': self.provider.id}])
        self.assertTrue(tx.mpesa_receipt)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
