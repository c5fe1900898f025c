import json
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tests.common import C2B_PAYMENT, SHORTCODE, MpesaHttpCommon


@tagged('post_install', '-at_install')
class TestC2B(MpesaHttpCommon):
    """Money that arrives on the paybill: registration, validation, confirmation, matching, review."""

    def _confirm(self, payment):
        response = self.post_callback('c2b-confirmation', payment)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {'ResultCode': 0, 'ResultDesc': 'Success'})
        return self.env['payment.transaction'].search([('mpesa_receipt', '=', payment['TransID'].upper())]) \
            if isinstance(payment, dict) else None

    def test_register_urls_in_sentence_case_without_forbidden_words(self):
        self.provider.action_mpesa_register_c2b_urls()
        [request] = self.sandbox_requests('/mpesa/c2b/v2/registerurl')
        sent = request['json']
        self.assertEqual((sent['ShortCode'], sent['ResponseType']), (SHORTCODE, 'Completed'))
        for url in (sent['ConfirmationURL'], sent['ValidationURL']):
            path = url.split('/ddcpts/', 1)[1].lower()
            self.assertFalse([word for word in const.FORBIDDEN_URL_WORDS if word in path], url)
        self.assertTrue(self.provider.mpesa_c2b_registered_at)
        self.provider.mpesa_c2b_response_type = 'Cancelled'
        self.provider.action_mpesa_register_c2b_urls()
        self.assertEqual(self.sandbox_requests('/mpesa/c2b/v2/registerurl')[-1]['json']['ResponseType'], 'Cancelled')

    def test_register_refuses_a_public_url_safaricom_would_refuse(self):
        self.provider.ddcpts_public_url = 'https://mpesa.example.co.ke'
        with self.assertRaisesRegex(UserError, 'containing "mpesa"'):
            self.provider.action_mpesa_register_c2b_urls()
        self.assertFalse(self.sandbox_requests('/mpesa/c2b/'))

    def test_official_payload_that_matches_nothing_waits_for_review(self):
        response = self.post_callback('c2b-confirmation', C2B_PAYMENT)
        self.assertEqual(response.json(), {'ResultCode': 0, 'ResultDesc': 'Success'})
        tx = self.env['payment.transaction'].search([('mpesa_receipt', '=', 'RKL51ZDR4F')])
        self.assertRecordValues(tx, [{
            'state': 'done', 'amount': 5.0, 'mpesa_source': 'c2b', 'mpesa_bill_ref': 'Sample Transaction',
            'mpesa_phone': '2547 ***** 126', 'mpesa_payer_name': 'NICHOLAS', 'ddcpts_needs_review': True,
            'partner_id': self.env.ref('ddcpts_mpesa.partner_unidentified_payer').id,
        }])
        self.assertEqual(str(tx.mpesa_paid_at), '2023-11-21 09:13:25')
        self.post_process(tx)
        self.assertFalse(tx.payment_id, "unassigned money is booked when an accountant assigns it")

    def test_payment_matched_by_invoice_number_pays_the_invoice(self):
        invoice = self.create_invoice(2500)
        typed = invoice.name.replace('/', ' ').lower()  # customers type it loosely
        tx = self._confirm(self.c2b_payment('SKA1B2C3D4', '2500.00', typed))
        self.assertRecordValues(tx, [{'state': 'done', 'partner_id': self.customer.id,
                                      'ddcpts_needs_review': False}])
        self.assertEqual(tx.invoice_ids, invoice)
        self.post_process(tx)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))

    def test_payment_matched_by_payment_reference_or_customer(self):
        invoice = self.create_invoice(800)
        invoice.payment_reference = 'ACHIENG-APRIL'
        tx = self._confirm(self.c2b_payment('SKB1B2C3D4', '300', 'achieng-april'))
        self.assertEqual(tx.invoice_ids, invoice)
        self.customer.ref = 'CUST042'
        tx = self._confirm(self.c2b_payment('SKC1B2C3D4', '300', 'cust042'))
        self.assertRecordValues(tx, [{'partner_id': self.customer.id, 'ddcpts_needs_review': False}])
        self.assertFalse(tx.invoice_ids)
        baraka = self.env['res.partner'].create({'name': "Baraka", 'mobile': '+254 722 000 123'})
        tx = self._confirm(self.c2b_payment('SKD1B2C3D4', '300', '0722000123'))
        self.assertEqual(tx.partner_id, baraka, "the phone number typed as account number")
        tx = self._confirm(self.c2b_payment('SKE1B2C3D4', '300', '', msisdn='254722000123'))
        self.assertEqual(tx.partner_id, baraka, "an unmasked payer number")
        self.post_process(tx)
        self.assertEqual(tx.payment_id.partner_id, baraka)
        self.env['res.partner'].create({'name': "Baraka's shop", 'phone': '0722-000-123'})
        tx = self._confirm(self.c2b_payment('SKN1B2C3D4', '300', '0722000123'))
        self.assertTrue(tx.ddcpts_needs_review, "a number shared by two customers identifies nobody")

    def test_other_addons_claim_payments_with_the_generic_hook(self):
        origin = self.create_invoice(100, post=False)  # any document; a SACCO would give a loan account

        def claim(tx_model, reference, company, msisdn=None):
            if reference == 'LN0007':
                return {'partner_id': self.customer.id, 'ddcpts_origin': f'account.move,{origin.id}'}
            return {}

        tx_class = type(self.env['payment.transaction'])
        with patch.object(tx_class, '_selection_ddcpts_origin', lambda self: [('account.move', "Entry")]), \
                patch.object(tx_class, '_ddcpts_match_reference', claim):
            tx = self._confirm(self.c2b_payment('SKF1B2C3D4', '1000', 'LN0007'))
            self.assertRecordValues(tx, [{'partner_id': self.customer.id, 'ddcpts_needs_review': False}])
            self.assertEqual(tx.ddcpts_origin, origin)

    def test_duplicate_confirmations_are_acknowledged_and_booked_once(self):
        for _attempt in range(5):
            self._confirm(self.c2b_payment('SKG1B2C3D4', '150', 'nothing'))
        self.assertEqual(self.env['payment.transaction'].search_count([('mpesa_receipt', '=', 'SKG1B2C3D4')]), 1)
        self.assertEqual(self.callbacks_of('SKG1B2C3D4').mapped('state'), ['processed'] + ['duplicate'] * 4)

    def test_stk_payment_also_confirmed_by_c2b_is_booked_once(self):
        self.provider.action_mpesa_register_c2b_urls()
        self.sandbox_rule(path='/mpesa/stkpush/', result={'c2b': True})
        invoice = self.create_invoice(1200)
        tx = invoice._mpesa_request_payment()
        self.deliver_callbacks(2)
        self.assertEqual(tx.state, 'done')
        self.assertEqual(self.env['payment.transaction'].search_count([('mpesa_receipt', '=', tx.mpesa_receipt)]), 1)
        deliveries = self.callbacks_of(tx.mpesa_receipt) | self.callbacks_of(tx.mpesa_checkout_request_id)
        self.assertEqual(sorted(deliveries.mapped('state')), ['duplicate', 'processed'],
                         "whichever comes first books it, the other changes nothing")
        self.post_process(tx)
        self.assertEqual(len(invoice.transaction_ids.payment_id), 1)

    def test_c2b_confirmation_first_completes_the_stk_push(self):
        invoice = self.create_invoice(1200)
        tx = self.create_pending_tx(1200, 'ws_CO_c2b_first', invoice=invoice, account_reference='INV202600042')
        self.env.flush_all()
        self._confirm(self.c2b_payment('SKH1B2C3D4', '1200.00', 'INV202600042'))
        self.assertRecordValues(tx, [{'state': 'done', 'mpesa_receipt': 'SKH1B2C3D4'}])
        response = self.post_callback('stk', self.stk_callback('ws_CO_c2b_first', amount=1200, receipt='SKH1B2C3D4'))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.callbacks_of('ws_CO_c2b_first').state, 'duplicate')
        self.assertEqual(self.env['payment.transaction'].search_count([('mpesa_receipt', '=', 'SKH1B2C3D4')]), 1)

    def test_receipt_seen_twice_without_pairing_goes_to_review(self):
        """The STK push was confirmed by status query (no receipt); its C2B confirmation carries another
        account number (the customer's), so it is booked apart; the late STK callback reveals they are the
        same money."""
        self.customer.ref = 'ACHIENG'
        tx = self.create_pending_tx(600, 'ws_CO_twice', account_reference='INV202600077')
        tx._mpesa_apply_stk_result(0, "The service request is processed successfully.")
        self.env.flush_all()
        c2b_tx = self._confirm(self.c2b_payment('SKT1B2C3D4', '600.00', 'achieng'))
        self.assertEqual((c2b_tx.partner_id, c2b_tx.ddcpts_needs_review), (self.customer, False))
        response = self.post_callback('stk', self.stk_callback('ws_CO_twice', amount=600, receipt='SKT1B2C3D4'))
        self.assertEqual(response.status_code, 200)
        self.assertEqual((tx | c2b_tx).mapped('ddcpts_needs_review'), [True, True])
        self.assertIn("booked twice", tx.ddcpts_review_reason)

    def test_till_confirmation_first_without_account_number_is_taken_by_its_stk_push(self):
        """Buy Goods: the C2B confirmation has no BillRefNumber, so it waits for review; the STK callback
        of the same receipt then books the money on its request, once, and the copy is cancelled."""
        invoice = self.create_invoice(900)
        tx = self.create_pending_tx(900, 'ws_CO_till_first', invoice=invoice, account_reference='INV202600088')
        self.env.flush_all()
        copy = self._confirm(self.c2b_payment('STL1B2C3D4', '900.00', '', first_name='WANJIKU'))
        self.assertTrue(copy.ddcpts_needs_review)
        response = self.post_callback('stk', self.stk_callback('ws_CO_till_first', amount=900, receipt='STL1B2C3D4'))
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertRecordValues(tx, [{'state': 'done', 'mpesa_receipt': 'STL1B2C3D4', 'ddcpts_needs_review': False,
                                      'mpesa_payer_name': 'WANJIKU'}])
        self.assertRecordValues(copy, [{'state': 'cancel', 'mpesa_receipt': False, 'ddcpts_needs_review': False}])
        self.assertIn(tx.reference, copy.state_message)
        self.post_process(tx)
        self.post_process(copy)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        self.assertEqual(self.env['account.payment'].search_count([('payment_transaction_id', 'in', (tx | copy).ids)]),
                         1, "booked once")
        # a replay of either changes nothing
        self.post_callback('stk', self.stk_callback('ws_CO_till_first', amount=900, receipt='STL1B2C3D4'))
        self._confirm(self.c2b_payment('STL1B2C3D4', '900.00', ''))
        self.assertEqual(self.env['payment.transaction'].search([('mpesa_receipt', '=', 'STL1B2C3D4')]), tx)

    def test_till_stk_payment_also_confirmed_by_c2b_through_the_simulator(self):
        self.provider.write({'mpesa_account_type': 'till', 'mpesa_till_number': '600100'})
        self.provider.action_mpesa_register_c2b_urls()
        self.sandbox_rule(path='/mpesa/stkpush/', result={'c2b': True})
        invoice = self.create_invoice(450)
        tx = invoice._mpesa_request_payment()
        self.deliver_callbacks(2)
        self.assertRecordValues(tx, [{'state': 'done', 'ddcpts_needs_review': False}])
        self.assertEqual(self.env['payment.transaction'].search([('mpesa_receipt', '=', tx.mpesa_receipt)]), tx)
        copies = self.env['payment.transaction'].search([('provider_reference', '=', tx.mpesa_receipt),
                                                          ('id', '!=', tx.id)])
        self.assertEqual(copies.mapped('state'), ['cancel'] if copies else [],
                         "a confirmation that came first is handed over to the push")
        self.post_process(tx | copies)
        self.assertEqual(len((tx | copies).payment_id), 1)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))

    def test_validation_accepts_or_rejects_with_the_documented_codes(self):
        payment = self.c2b_payment('SKI1B2C3D4', '5.00', 'Sample Transaction')
        self.assertEqual(self.post_callback('c2b-validation', payment).json(), {'ResultCode': '0',
                                                                               'ResultDesc': 'Accepted'})
        self.provider.write({'mpesa_c2b_validation': True, 'mpesa_c2b_min_amount': 10,
                             'mpesa_c2b_max_amount': 70000, 'mpesa_c2b_require_known_reference': True})
        self.assertEqual(self.post_callback('c2b-validation', payment).json(),
                         {'ResultCode': 'C2B00013', 'ResultDesc': 'Rejected'})
        payment['TransAmount'] = '100.00'
        self.assertEqual(self.post_callback('c2b-validation', payment).json(),
                         {'ResultCode': 'C2B00012', 'ResultDesc': 'Rejected'})
        payment['BillRefNumber'] = self.create_invoice(100).name
        self.assertEqual(self.post_callback('c2b-validation', payment).json()['ResultCode'], '0')
        self.assertFalse(self.env['payment.transaction'].search([('mpesa_receipt', '=', 'SKI1B2C3D4')]),
                         "validation books nothing")

    def test_customer_pays_the_paybill_end_to_end_through_the_simulator(self):
        self.provider.write({'mpesa_c2b_validation': True, 'mpesa_c2b_require_known_reference': True})
        self.provider.action_mpesa_register_c2b_urls()
        invoice = self.create_invoice(640)
        self.env.flush_all()
        self.sandbox_rule(path='/mpesa/c2b/v1/simulate', result={'trans_id': 'SKJ1B2C3D4'})
        client_token = self.provider._ddcpts_bearer_token(self.provider._mpesa_fetch_token)
        simulate = self.sandbox_url() + '/mpesa/c2b/v1/simulate'
        import requests

        answer = requests.post(simulate, timeout=10, headers={'Authorization': f'Bearer {client_token}'}, json={
            'ShortCode': SHORTCODE, 'CommandID': 'CustomerPayBillOnline', 'Amount': 640,
            'Msisdn': '254708374149', 'BillRefNumber': invoice.name,
        }).json()
        self.assertEqual(answer['ResponseCode'], '0')
        deliveries = self.deliver_callbacks(2)
        self.assertEqual([delivery['url'].rsplit('/', 1)[1] for delivery in deliveries],
                         ['c2b-validation', 'c2b-confirmation'])
        tx = self.env['payment.transaction'].search([('mpesa_receipt', '=', 'SKJ1B2C3D4')])
        self.assertEqual((tx.state, tx.invoice_ids), ('done', invoice))

    def test_review_queue_assigns_in_one_click(self):
        invoice = self.create_invoice(450)
        tx = self._confirm(self.c2b_payment('SKK1B2C3D4', '450.00', 'ACHIENG'))
        self.post_process(tx)
        self.assertTrue(tx.ddcpts_needs_review)
        action = tx.action_mpesa_review()
        wizard = self.env[action['res_model']].with_context(action['context']).create({})
        self.assertFalse(wizard.partner_id, "the unidentified payer is not suggested")
        wizard.partner_id = self.customer
        self.assertEqual(wizard.invoice_ids, invoice, "the open invoice of the same amount is suggested")
        wizard.action_assign()
        self.assertRecordValues(tx, [{'ddcpts_needs_review': False, 'partner_id': self.customer.id}])
        self.assertEqual(tx.payment_id.amount, 450)
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        with self.assertRaisesRegex(UserError, "assigned already"):
            wizard.action_assign()

    def test_malformed_confirmations_are_refused(self):
        cases = {
            "no TransID": ({'TransAmount': '5.00'}, "TransID"),
            "no amount": ({'TransID': 'SKL1B2C3D4'}, "TransAmount: is missing"),
            "text amount": ({'TransID': 'SKL1B2C3D4', 'TransAmount': 'five'}, "TransAmount: is not an amount"),
            "negative amount": ({'TransID': 'SKL1B2C3D4', 'TransAmount': '-5'}, "TransAmount: is out of range"),
        }
        for name, (body, message) in cases.items():
            with self.subTest(name):
                response = self.post_callback('c2b-confirmation', body)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.json()['error'])
        self.assertFalse(self.env['payment.transaction'].search([('mpesa_receipt', '=', 'SKL1B2C3D4')]))
        tx = self._confirm({'TransID': 'SKM1B2C3D4', 'TransAmount': 75, 'BillRefNumber': 12345})
        self.assertEqual((tx.amount, tx.mpesa_bill_ref), (75, '12345'), "numbers sent as numbers are read")

    def test_nul_in_a_trans_id_is_refused_without_traceback(self):
        body = C2B_PAYMENT.replace('RKL51ZDR4F', 'RKL51\\u0000DR4F')
        for event in ('c2b-validation', 'c2b-confirmation'):
            with self.subTest(event), self.assertNoLogs('odoo.addons.ddcpts_base.models.ddcpts_callback', 'ERROR'):
                response = self.post_callback(event, body)
                self.assertEqual(response.status_code, 400)
                self.assertIn("TransID: contains a NUL or control character", response.json()['error'])
        self.assertFalse(self.env['payment.transaction'].search([('mpesa_source', '=', 'c2b'),
                                                                 ('provider_id', '=', self.provider.id)]))
        self.assertEqual(self.env['ddcpts.callback'].search([('route', 'like', '/ddcpts/daraja/%/c2b-%'),
                                                             ('provider_res_id', '=', self.provider.id)])
                         .mapped('state'), ['failed', 'failed'])

    def test_fields_of_the_wrong_type_or_format_are_refused(self):
        payment = json.loads(C2B_PAYMENT)
        cases = {
            "TransID": ({**payment, 'TransID': {'A': 1}}, "TransID: must be a string"),
            "TransID format": ({**payment, 'TransID': 'RKL51ZDR4F-2'}, "TransID: is longer than 10 characters"),
            "TransAmount": ({**payment, 'TransAmount': [5]}, "TransAmount: must be an amount"),
            "BillRefNumber": ({**payment, 'BillRefNumber': 'X' * 21}, "BillRefNumber: is longer than 20"),
            "TransTime": ({**payment, 'TransTime': '2023-11-21'}, "TransTime: must be a time written"),
        }
        for name, (body, message) in cases.items():
            with self.subTest(name):
                response = self.post_callback('c2b-confirmation', body)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.json()['error'])
        self.assertFalse(self.env['payment.transaction'].search([('mpesa_source', '=', 'c2b'),
                                                                 ('provider_id', '=', self.provider.id)]))
