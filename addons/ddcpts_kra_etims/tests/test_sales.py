import base64
import io
import json
import time
from datetime import timedelta

import qrcode

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import sandbox_url
from odoo.addons.ddcpts_kra_etims.tests.common import COMPANY_PIN, CUSTOMER_PIN, EtimsCase


@tagged('post_install', '-at_install')
class TestEtimsSales(EtimsCase):
    """Invoices and credit notes: numbering, signing, errors, outages, 994, credit notes, QR, report."""

    def make_due(self, *moves):
        for move in moves:
            move.sudo().etims_next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)

    def run_queue(self):
        self.device._etims_process_queue()
        self.env.invalidate_all()

    def test_posting_signs_the_invoice(self):
        invoice = self.create_invoice([(self.juice, 2, 116.0, self.tax_16), (self.sugar, 1.5, 180.0, self.tax_8)],
                                      post=True)
        self.assertRecordValues(invoice, [{
            'etims_state': 'signed', 'etims_invoice_number': 1, 'etims_receipt_number': '1',
            'etims_total_receipt_number': '1', 'etims_sdc_id': self.device.sdc_id, 'etims_mrc_no': self.device.mrc_no,
            'etims_error': False,
        }])
        self.assertEqual(len(invoice.etims_signature), 16)
        self.assertEqual(len(invoice.etims_internal_data), 26)
        self.assertTrue(invoice.etims_sdc_datetime)
        [sale] = self.sent_sales()
        self.assertEqual((sale['invcNo'], sale['orgInvcNo'], sale['rcptTyCd'], sale['custTin'], sale['salesTyCd']),
                         (1, 0, 'S', CUSTOMER_PIN, 'N'))
        self.assertEqual((sale['trdInvcNo'], sale['pmtTyCd'], sale['salesSttsCd'], sale['totItemCnt']),
                         (invoice.name, '01', '02', 2))
        self.assertEqual(sale['totAmt'], invoice.amount_total)
        self.assertEqual([item['itemCd'][:6] for item in sale['itemList']], ['KE2NTU', 'KE2NTK'])
        self.assertRegex(sale['itemList'][0]['itemCd'], r'^KE2NTU\d{7}$', "KRA's item code format")
        self.assertEqual(sale['itemList'][1]['qtyUnitCd'], 'KG', "quantity unit mapped from the UoM")
        headers = {name.lower(): value for name, value in self.sandbox_requests('/etims-api/saveTrnsSalesOsdc')[0][
            'headers'].items()}
        self.assertEqual((headers['tin'], headers['bhfid']), (COMPANY_PIN, '00'))
        self.assertEqual(len(headers['cmckey']), 32)
        call = self.env['ddcpts.provider.call'].search([('endpoint', '=', 'saveTrnsSalesOsdc')])
        self.assertNotIn(headers['cmckey'], call.request_headers + call.request_body + call.response_body)
        self.assertEqual(call.related_id, invoice.id)
        self.assertEqual(self.device.last_invoice_number, 1)

        second = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual((second.etims_state, second.etims_invoice_number), ('signed', 2))
        self.assertEqual(len(self.sandbox_requests('/etims-api/saveItem')), 2, "items are registered once")

    def test_kra_sample_receipt_is_stored_and_printed(self):
        """saveTrnsSalesOsdc's answer verbatim from the specification (docs/providers/etims.md)."""
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', result=json.loads(
            '{"resultCd":"000","resultMsg":"It is succeeded","resultDt":"20200226194328","data":{"curRcptNo":"1",'
            '"totRcptNo":"1","intrlData":"EAHSAV6ECUUXSY6PCCJYAUP6MI","rcptSign":"QUII27MATATSHFRB",'
            '"sdcDateTime":"20210502115145"}}'))
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertRecordValues(invoice, [{
            'etims_state': 'signed', 'etims_invoice_number': 1, 'etims_receipt_number': '1',
            'etims_total_receipt_number': '1', 'etims_internal_data': 'EAHSAV6ECUUXSY6PCCJYAUP6MI',
            'etims_signature': 'QUII27MATATSHFRB', 'etims_sdc_datetime': fields.Datetime.to_datetime(
                '2021-05-02 08:51:45'),  # 11:51:45 in Nairobi
        }])
        self.assertEqual(invoice.etims_qr_url, 'https://etims-sbx.kra.go.ke/common/link/etims/receipt/'
                                               f'indexEtimsReceiptData?Data={COMPANY_PIN}00QUII27MATATSHFRB')
        html = self.env['ir.actions.report']._render_qweb_html('account.report_invoice', invoice.ids)[0].decode()
        for printed in ('QUII-27MA-TATS-HFRB', 'EAHS-AV6E-CUUX-SY6P-CCJY-AUP6-MI', f'{invoice.etims_sdc_id}/1'):
            self.assertIn(printed, html)

    def test_acceptance_without_signature_asks_for_the_receipt(self):
        """000 without a receipt: KRA holds the number, so the invoice waits for its receipt, never unsigned."""
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', result={'resultCd': '000', 'data': None})
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertRecordValues(invoice, [{'etims_state': 'to_confirm', 'etims_invoice_number': 1,
                                           'etims_signature': False}])
        self.assertIn("sent no receipt signature", invoice.etims_error)
        self.assertEqual(self.device.last_invoice_number, 1, "the number is KRA's")

    def test_malformed_receipt_is_not_stored(self):
        """000 with a receipt that is not what KRA documents: nothing of it is stored, the number is KRA's."""
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', result={'resultCd': '000', 'data': {
            'curRcptNo': '1', 'totRcptNo': '1', 'intrlData': 'EAHSAV6ECUUXSY6PCCJYAUP6MI',
            'rcptSign': ['QUII27MATATSHFRB'], 'sdcDateTime': '20210502115145'}})
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertRecordValues(invoice, [{'etims_state': 'to_confirm', 'etims_invoice_number': 1,
                                           'etims_signature': False, 'etims_receipt_number': False}])
        self.assertIn("rcptSign", invoice.etims_error)

    def test_a_billing_user_without_email_gets_the_invoice_signed(self):
        """The eTIMS notes in the chatter are logged as the posting user, who may have no e-mail address;
        KRA's text in them stays text."""
        clerk = self.env['res.users'].create({
            'name': "Clerk without e-mail", 'login': 'etims-clerk', 'email': False,
            'company_id': self.company.id, 'company_ids': [Command.set(self.company.ids)],
            'groups_id': [Command.set(self.env.ref('account.group_account_invoice').ids)],
        })
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)])
        invoice.with_user(clerk).action_post()
        self.assertEqual((invoice.etims_state, invoice.etims_invoice_number), ('signed', 1))
        self.assertEqual(invoice.message_ids[0].author_id, clerk.partner_id)
        self.assertIn("Signed by KRA eTIMS: invoice number 1", invoice.message_ids[0].body)
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', result={'resultCd': '910', 'resultMsg': '<b>bad</b>'})
        refused = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)])
        refused.with_user(clerk).action_post()
        self.assertEqual(refused.etims_state, 'error')
        self.assertIn("&lt;b&gt;bad&lt;/b&gt;", refused.message_ids[0].body)

    def test_signed_invoice_cannot_go_back_to_draft(self):
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertFalse(invoice.show_reset_to_draft_button)
        with self.assertRaisesRegex(UserError, "signed by KRA eTIMS"):
            invoice.button_draft()
        with self.assertRaisesRegex(UserError, "signed by KRA eTIMS"):
            invoice.button_cancel()

    def test_bad_master_data_blocks_sending_and_names_the_record(self):
        self.juice.etims_item_class_id = False
        self.sugar.uom_id.etims_quantity_unit_id = False
        invoice = self.create_invoice([
            (self.juice, 1, 116.0, self.tax_16), (self.sugar, 1, 180.0, self.tax_8),
            (self.maize, 1, 200.0, self.env['account.tax']),
        ], post=True)
        self.assertEqual(invoice.etims_state, 'error')
        for problem in ("Line “Maize flour” needs exactly one tax with a KRA tax type",
                        "Product Mango juice 1L needs a KRA item classification",
                        "Unit of measure kg (product Sugar) has no KRA quantity unit"):
            self.assertIn(problem, invoice.etims_error)
        self.assertFalse(invoice.etims_invoice_number, "no number is used by a document that was not sent")
        self.assertFalse(self.sent_sales())
        invoice.button_draft()
        invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.maize).tax_ids = self.tax_exempt
        invoice.action_post()
        self.assertNotIn("Maize flour", invoice.etims_error)
        self.juice.etims_item_class_id = self.class_juice
        self.sugar.uom_id.etims_quantity_unit_id = self.env.ref('ddcpts_kra_etims.etims_code_10_KG')
        invoice.action_etims_send()
        self.assertEqual((invoice.etims_state, invoice.etims_invoice_number), ('signed', 1))

    def test_line_in_an_unmapped_unit_is_named(self):
        """A line's quantity is reported in the line's unit: one without a KRA quantity unit blocks sending."""
        six_pack = self.env['uom.uom'].create({
            'name': "Pack of 6", 'category_id': self.juice.uom_id.category_id.id, 'uom_type': 'bigger', 'factor_inv': 6,
        })
        invoice = self.create_invoice([(self.juice, 2, 696.0, self.tax_16)])
        invoice.invoice_line_ids.product_uom_id = six_pack
        invoice.action_post()
        self.assertEqual(invoice.etims_state, 'error')
        self.assertIn("Line “Mango juice 1L” is in unit of measure Pack of 6, which has no KRA quantity unit",
                      invoice.etims_error)
        six_pack.etims_quantity_unit_id = self.env.ref('ddcpts_kra_etims.etims_code_10_PA')
        invoice.action_etims_send()
        self.assertEqual(invoice.etims_state, 'signed')
        item = self.sent_sales()[-1]['itemList'][0]
        self.assertEqual((item['qtyUnitCd'], item['qty']), ('PA', 2.0))

    def test_kra_fields_are_not_typed_over(self):
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        with self.assertRaisesRegex(UserError, "comes from KRA"):
            invoice.etims_signature = 'FORGEDSIGNATURE1'
        with self.assertRaisesRegex(UserError, "cannot change"):
            invoice.etims_payment_type = '06'

    def test_changed_item_is_registered_again(self):
        self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual(len(self.sandbox_requests('/etims-api/saveItem')), 1)
        cron = self.env.ref('ddcpts_kra_etims.ir_cron_etims_sync_items')
        self.env['ir.cron.trigger'].search([('cron_id', '=', cron.id)]).unlink()
        self.juice.name = "Mango juice 1 litre"
        self.assertTrue(self.env['ir.cron.trigger'].search_count([('cron_id', '=', cron.id)]), "the change is queued")
        self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual(len(self.sandbox_requests('/etims-api/saveItem')), 1, "the item cron sends the change")
        self.env['product.product']._cron_sync_items()
        registrations = self.sandbox_requests('/etims-api/saveItem')
        self.assertEqual([request['json']['itemNm'] for request in registrations],
                         ["Mango juice 1L", "Mango juice 1 litre"])
        self.assertEqual(registrations[0]['json']['itemCd'], registrations[1]['json']['itemCd'], "same item code")

    def test_item_and_customer_kra_already_has_are_not_errors(self):
        """saveItem / saveBhfCustomer whose first answer was lost answer 994 when sent again: registered."""
        self.device.register_customers = True
        self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.juice.with_company(self.company).sudo().etims_registered_hash = False
        self.customer.sudo().etims_registered_device_ids = False
        self.sandbox_rule(path='/etims-api/saveItem', result={'resultCd': '994'})
        self.sandbox_rule(path='/etims-api/saveBhfCustomer', result={'resultCd': '994'})
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual((invoice.etims_state, invoice.etims_invoice_number), ('signed', 2))
        self.assertTrue(self.juice.with_company(self.company).etims_registered_hash)
        self.assertEqual(self.customer.etims_registered_device_ids, self.device)
        self.assertEqual(len(self.sandbox_requests('/etims-api/saveItem')), 2)

    def test_outage_queues_then_retries_in_order(self):
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', status=503, times=-1)
        first = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertRecordValues(first, [{'etims_state': 'sending', 'etims_invoice_number': 1,
                                         'etims_attempt_count': 1}])
        self.assertIn("HTTP 503", first.etims_error)
        self.assertTrue(first.etims_next_attempt_at > fields.Datetime.now())
        second = self.create_invoice([(self.sugar, 1, 180.0, self.tax_8)], post=True)
        self.assertRecordValues(second, [{'etims_state': 'to_send', 'etims_invoice_number': 0}])
        self.assertEqual(self.device.queue_count, 2)
        self.make_due(first)
        self.run_queue()
        self.assertEqual((first.etims_state, first.etims_attempt_count), ('sending', 2), "still down: backoff")
        self.assertGreater(first.etims_next_attempt_at - fields.Datetime.now(), timedelta(seconds=90))
        with self.assertRaisesRegex(UserError, "may already have it"):
            first.button_draft()
        self.sandbox('DELETE', 'rules')
        self.make_due(first)
        self.env['ddcpts.etims.device']._cron_send_queue()
        self.env.invalidate_all()
        self.assertEqual([(move.etims_state, move.etims_invoice_number) for move in first | second],
                         [('signed', 1), ('signed', 2)])
        self.assertEqual([sale['invcNo'] for sale in self.sent_sales() if sale], [1, 1, 1, 2])
        self.assertEqual(self.sandbox_state()['sales'][f'{COMPANY_PIN}/00']['invcNos'], [1, 2])

    def test_lost_answer_then_994_is_confirmed_not_renumbered(self):
        """KRA stored the invoice but its answer was lost: the retry gets 994, the number is kept."""
        self.device.timeout = 1
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', delay_ms=2000)
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual((invoice.etims_state, invoice.etims_invoice_number), ('sending', 1))
        self.assertIn("did not answer", invoice.etims_error)
        self.make_due(invoice)
        deadline = time.monotonic() + 120  # the simulator stores the sale once its delay is over
        while not self.sandbox_state()['sales']:
            self.assertLess(time.monotonic(), deadline, "the simulator never stored the slow sale")
            time.sleep(0.25)
        self.run_queue()
        self.assertEqual((invoice.etims_state, invoice.etims_invoice_number), ('to_confirm', 1))
        self.assertIn("994", invoice.etims_error)
        self.assertEqual(self.device.last_invoice_number, 1, "994 never makes a new number")
        with self.assertRaisesRegex(UserError, "Enter the receipt number"):
            invoice.action_etims_confirm_receipt()
        invoice.write({'etims_receipt_number': '1', 'etims_total_receipt_number': '1',
                       'etims_internal_data': 'EAHSAV6ECUUXSY6PCCJYAUP6MI', 'etims_signature': 'QUII27MATATSHFRB',
                       'etims_sdc_datetime': fields.Datetime.now()})
        invoice.action_etims_confirm_receipt()
        self.assertEqual(invoice.etims_state, 'signed')
        self.assertTrue(invoice.etims_qr_url.endswith(f'Data={COMPANY_PIN}00QUII27MATATSHFRB'))
        next_invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual((next_invoice.etims_state, next_invoice.etims_invoice_number), ('signed', 2))

    def test_994_recovers_the_receipt_from_the_call_log(self):
        """The answer reached Odoo but the transaction that stored it was lost: the call log has it."""
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        signature = invoice.etims_signature
        invoice.sudo().write({'etims_state': 'sending', 'etims_signature': False, 'etims_receipt_number': False})
        self.run_queue()
        self.assertRecordValues(invoice, [{'etims_state': 'signed', 'etims_signature': signature,
                                           'etims_invoice_number': 1, 'etims_receipt_number': '1'}])
        self.assertEqual(self.sandbox_requests('/etims-api/saveTrnsSalesOsdc')[-1]['json']['invcNo'], 1)
        self.assertIn("recovered from the call log", invoice.message_ids[0].body)

    def test_rejected_invoice_gives_its_number_back(self):
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', result={'resultCd': '910', 'resultMsg': "bad custTin"},
                          times=2)
        refused = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        also_refused = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertRecordValues(refused | also_refused, [{'etims_state': 'error', 'etims_invoice_number': 0}] * 2)
        self.assertIn("910 bad custTin", refused.etims_error)
        accepted = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual((accepted.etims_state, accepted.etims_invoice_number), ('signed', 1), "no gap")
        refused.action_etims_send()
        self.assertEqual((refused.etims_state, refused.etims_invoice_number), ('signed', 2))
        self.assertEqual([sale['invcNo'] for sale in self.sent_sales()], [1, 1, 1, 2])

    def test_manual_sending_when_auto_send_is_off(self):
        self.company.etims_auto_send = False
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual(invoice.etims_state, 'pending')
        self.assertFalse(self.sent_sales())
        invoice.action_etims_send()
        self.assertEqual(invoice.etims_state, 'signed')
        self.assertEqual(self.env['account.move'].search_count([('etims_state', '=', 'signed'),
                                                                 ('id', '=', invoice.id)]), 1)

    def test_credit_note(self):
        invoice = self.create_invoice([(self.juice, 3, 116.0, self.tax_16)], post=True)
        reversal = self.env['account.move.reversal'].with_context(active_model='account.move',
                                                                  active_ids=invoice.ids).create({
            'journal_id': invoice.journal_id.id, 'reason': "damaged bottles",
        })
        self.assertTrue(reversal.etims_applicable)
        credit_note = self.env['account.move'].browse(reversal.refund_moves()['res_id'])
        credit_note.invoice_line_ids.quantity = 1
        credit_note.action_post()
        self.assertEqual(credit_note.etims_state, 'error')
        self.assertIn("Set the KRA credit note reason", credit_note.etims_error)
        credit_note.etims_refund_reason = '03'
        credit_note.action_etims_send()
        self.assertRecordValues(credit_note, [{'etims_state': 'signed', 'etims_invoice_number': 2,
                                               'etims_original_invoice_number': 1, 'etims_receipt_number': '1',
                                               'etims_total_receipt_number': '2'}])
        sale = self.sent_sales()[-1]
        self.assertEqual((sale['rcptTyCd'], sale['orgInvcNo'], sale['rfdRsnCd'], sale['totAmt']),
                         ('R', 1, '03', credit_note.amount_total))

        reversal = self.env['account.move.reversal'].with_context(active_model='account.move',
                                                                  active_ids=invoice.ids).create({
            'journal_id': invoice.journal_id.id, 'etims_refund_reason': '06',
        })
        second_note = self.env['account.move'].browse(reversal.refund_moves()['res_id'])
        self.assertEqual(second_note.etims_refund_reason, '06', "the reason chosen in the wizard")

    def test_credit_note_of_an_unsigned_invoice_waits(self):
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', result={'resultCd': '910'})
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        credit_note = invoice._reverse_moves([{'etims_refund_reason': '06'}])
        credit_note.action_post()
        self.assertIn(f"The original invoice {invoice.name} is not signed by eTIMS yet", credit_note.etims_error)

    def test_fiscalized_webhook(self):
        endpoint = self.env['ddcpts.webhook.endpoint'].create({
            'name': "ERP", 'url': f'{sandbox_url()}/echo/hooks/erp',
            'event_ids': [Command.link(self.env.ref('ddcpts_kra_etims.webhook_event_invoice_fiscalized').id)],
        })
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        delivery = self.env['ddcpts.webhook.delivery'].search([('endpoint_id', '=', endpoint.id)])
        data = json.loads(delivery.body)['data']
        self.assertEqual((delivery.event, data['invoice'], data['etims_invoice_number'], data['signature']),
                         ('invoice.fiscalized', invoice.name, 1, invoice.etims_signature))
        self.assertEqual(data['qr_url'], invoice.etims_qr_url)

    def test_qr_code_and_printed_kra_block(self):
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        expected_url = ('https://etims-sbx.kra.go.ke/common/link/etims/receipt/indexEtimsReceiptData?Data='
                        f'{COMPANY_PIN}00{invoice.etims_signature}')
        self.assertEqual(invoice.etims_qr_url, expected_url)
        image = invoice._etims_qr_image()
        self.assertTrue(image.startswith('data:image/png;base64,'))
        reference = io.BytesIO()
        qrcode.make(expected_url, box_size=4, border=1).save(reference, format='PNG')
        self.assertEqual(base64.b64decode(image.split(',', 1)[1]), reference.getvalue(), "the QR encodes the URL")
        html = self.env['ir.actions.report']._render_qweb_html('account.report_invoice', invoice.ids)[0].decode()
        self.assertIn('id="etims_receipt"', html)
        self.assertIn(invoice.etims_sdc_id, html)
        self.assertIn(f'{invoice.etims_sdc_id}/1', html, "CU invoice number")
        signature = invoice.etims_signature
        self.assertIn('-'.join(signature[index:index + 4] for index in range(0, 16, 4)), html)
        self.assertIn(image, html)
        unsigned = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)])
        html = self.env['ir.actions.report']._render_qweb_html('account.report_invoice', unsigned.ids)[0].decode()
        self.assertNotIn('etims_receipt', html)
