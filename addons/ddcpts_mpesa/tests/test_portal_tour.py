from odoo.tests import tagged

from odoo.addons.ddcpts_mpesa.tests.common import MpesaHttpCommon


@tagged('post_install', '-at_install')
class TestPortalTour(MpesaHttpCommon):

    def test_customer_pays_an_invoice_from_the_portal_with_mpesa(self):
        """Portal invoice > Pay Now > M-Pesa > the simulator approves > the invoice is paid."""
        invoice = self.create_invoice(1500)
        # the browser waits for the callback: sent by itself while the test thread only waits for the tour
        self.sandbox_reset(hold_callbacks=False)
        # the customer takes a few seconds to approve: the status page shows "check your phone" meanwhile
        self.sandbox_rule(path='/mpesa/stkpush/', callback={'delay_ms': 3000})
        self.start_tour(invoice.get_portal_url(), 'ddcpts_mpesa_portal_invoice_payment')
        tx = invoice.transaction_ids
        self.assertRecordValues(tx, [{'state': 'done', 'mpesa_phone': '254708374149', 'provider_id': self.provider.id}])
        self.assertTrue(tx.mpesa_receipt)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
