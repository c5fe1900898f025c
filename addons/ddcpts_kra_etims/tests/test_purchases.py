import requests

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import sandbox_url
from odoo.addons.ddcpts_kra_etims.tests.common import COMPANY_PIN, CUSTOMER_PIN, EtimsCase

SELLER_PIN = 'P052222222K'


@tagged('post_install', '-at_install')
class TestEtimsPurchasesAndImports(EtimsCase):
    """Supplier invoices fetched into draft bills and confirmed when posted; customs import items."""

    def sell_to_us_from_another_taxpayer(self):
        """Another taxpayer issues an invoice with our PIN as custTin (straight to the simulator)."""
        url = f'{sandbox_url()}/etims-api/'
        info = requests.post(url + 'selectInitOsdcInfo', json={'tin': SELLER_PIN, 'bhfId': '00', 'dvcSrlNo': 'S1'},
                             timeout=10).json()['data']['info']
        headers = {'tin': SELLER_PIN, 'bhfId': '00', 'cmcKey': info['cmcKey']}
        item = {'itemCd': 'KE3NTU0000077', 'itemClsCd': '8111150000', 'itemTyCd': '3', 'itemNm': "Consulting day",
                'orgnNatCd': 'KE', 'pkgUnitCd': 'NT', 'qtyUnitCd': 'U', 'taxTyCd': 'B', 'isrcAplcbYn': 'N',
                'useYn': 'Y'}
        requests.post(url + 'saveItem', json=item, headers=headers, timeout=10)
        taxes = {f'{kind}{code}': 0 for kind in ('taxblAmt', 'taxAmt', 'taxRt') for code in 'ABCDE'}
        taxes.update(taxblAmtB=23200, taxAmtB=3200, taxRtB=16)
        answer = requests.post(url + 'saveTrnsSalesOsdc', headers=headers, timeout=10, json={
            'trdInvcNo': 'C-9', 'invcNo': 1, 'orgInvcNo': 0, 'custTin': COMPANY_PIN, 'custNm': 'Us',
            'salesTyCd': 'N', 'rcptTyCd': 'S', 'pmtTyCd': '02', 'salesSttsCd': '02', 'cfmDt': '20250301120000',
            'salesDt': '20250301', 'totItemCnt': 1, **taxes, 'totTaxblAmt': 23200, 'totTaxAmt': 3200,
            'totAmt': 23200, 'itemList': [dict(item, itemSeq=1, qty=2, prc=11600, splyAmt=23200, dcRt=0, dcAmt=0,
                                               taxblAmt=23200, taxAmt=3200, totAmt=23200)],
        }).json()
        self.assertEqual(answer['resultCd'], '000')

    def test_supplier_invoices_become_draft_bills(self):
        self.juice.with_company(self.company).etims_item_code = 'KE1NTU0000001'
        sugar = self.etims_product("Sugar 1kg", 270, self.tax_8, self.class_maize)
        self.sell_to_us_from_another_taxpayer()
        partners_with_pin = self.env['res.partner'].search_count([('kra_pin', '=', CUSTOMER_PIN)])
        action = self.device.action_fetch_purchases()
        bills = self.env['account.move'].search(action['domain'], order='id')
        self.assertEqual(len(bills), 2)
        sample, consulting = bills
        self.assertRecordValues(sample, [{
            'move_type': 'in_invoice', 'state': 'draft', 'ref': '77',
            'etims_supplier_tin': CUSTOMER_PIN, 'etims_supplier_branch': '00', 'etims_supplier_invoice_number': '77',
            'etims_purchase_state': 'to_confirm', 'amount_total': 12140.0, 'amount_tax': 1640.0,
            'currency_id': self.kes.id,
        }])
        self.assertEqual(sample.partner_id.kra_pin, CUSTOMER_PIN, "the vendor with the supplier's PIN")
        self.assertEqual(self.env['res.partner'].search_count([('kra_pin', '=', CUSTOMER_PIN)]), partners_with_pin)
        self.assertEqual(sample.invoice_line_ids.mapped('product_id'), self.juice | sugar, "by item code, by name")
        self.assertEqual(sample.invoice_line_ids.mapped('quantity'), [10.0, 2.0])
        new_vendor = consulting.partner_id
        self.assertEqual((new_vendor.name, new_vendor.kra_pin, new_vendor.supplier_rank),
                         (f"Taxpayer {SELLER_PIN}", SELLER_PIN, 1), "created for its PIN")
        self.assertFalse(consulting.invoice_line_ids.product_id, "no product of ours matches")
        self.assertEqual(consulting.invoice_line_ids.etims_supplier_item_code, 'KE3NTU0000077')
        self.assertEqual(consulting.amount_total, 23200.0)
        self.assertEqual(self.device.action_fetch_purchases()['params']['type'], 'info', "nothing new: 001")
        self.device.purchases_requested_at = '20180101000000'
        self.device.action_fetch_purchases()
        self.assertEqual(self.env['account.move'].search_count([('etims_supplier_tin', '!=', False)]), 2,
                         "fetching again creates no duplicate")

        line = consulting.invoice_line_ids
        price, taxes = line.price_unit, line.tax_ids
        line.write({'product_id': self.support.id})
        line.write({'price_unit': price, 'tax_ids': [(6, 0, taxes.ids)]})
        consulting.action_post()
        self.assertEqual(consulting.etims_purchase_state, 'confirmed')
        [confirmation] = [request['json'] for request in self.sandbox_requests('/etims-api/insertTrnsPurchase')]
        self.assertEqual((confirmation['spplrTin'], confirmation['spplrInvcNo'], confirmation['regTyCd'],
                          confirmation['rcptTyCd'], confirmation['pchsSttsCd']), (SELLER_PIN, 1, 'A', 'P', '02'))
        self.assertEqual((confirmation['totAmt'], confirmation['totTaxAmt']), (23200.0, 3200.0))
        self.assertEqual(confirmation['itemList'][0]['spplrItemCd'], 'KE3NTU0000077')
        self.assertEqual(confirmation['invcNo'], consulting.etims_purchase_number)

    def kra_lists(self, endpoint, data):
        """KRA's next answer to ``endpoint``: a success carrying ``data``."""
        self.sandbox_rule(path=f'/etims-api/{endpoint}', status=200, body={
            'resultCd': '000', 'resultMsg': "It is succeeded", 'resultDt': '20250301120000', 'data': data})

    def test_unusable_supplier_invoices_are_refused_and_nothing_is_booked(self):
        item = {'itemSeq': 1, 'itemCd': 'KE1NTU0000001', 'itemClsCd': '5020230100', 'itemNm': "Mango juice 1L",
                'qty': 10, 'prc': 1160, 'taxTyCd': 'B', 'taxblAmt': 11600, 'taxAmt': 1600, 'totAmt': 11600}
        sale = {'spplrTin': SELLER_PIN, 'spplrNm': "Savannah Supplies Ltd", 'spplrBhfId': '00', 'spplrInvcNo': 78,
                'spplrSdcId': 'KRACU0100000009', 'rcptTyCd': 'S', 'pmtTyCd': '01', 'salesDt': '20250301',
                'totAmt': 11600, 'itemList': [item]}
        good = dict(sale, spplrInvcNo=79)
        Move = self.env['account.move']
        requested_at = self.device.purchases_requested_at
        for bad, error in [
            (dict(sale, spplrInvcNo='78\x00'), r"saleList\[1\]\.spplrInvcNo: contains a NUL or control character"),
            (dict(sale, spplrTin={'A': 1}), r"saleList\[1\]\.spplrTin: must be a string, not an object"),
            (dict(sale, spplrNm="Savannah " * 30), r"saleList\[1\]\.spplrNm: is longer than 200 characters"),
            (dict(sale, itemList=[dict(item, totAmt=[11600])]),
             r"saleList\[1\]\.itemList\[0\]\.totAmt: must be an amount, not a list"),
            (dict(sale, itemList=[dict(item, itemNm="Juice\x00")]),
             r"saleList\[1\]\.itemList\[0\]\.itemNm: contains a NUL"),
            (dict(sale, salesDt='2025-03-01'), r"saleList\[1\]\.salesDt: is longer than 8 characters"),
        ]:
            with self.subTest(error=error):
                self.kra_lists('selectTrnsPurchaseSalesList', {'saleList': [good, bad]})
                with self.assertRaisesRegex(UserError, r"selectTrnsPurchaseSalesList with data that cannot be used \(" +
                                            error):
                    self.device.action_fetch_purchases()
                self.assertFalse(Move.search([('etims_supplier_tin', '=', SELLER_PIN)]), "nothing booked")
                self.assertEqual(self.device.purchases_requested_at, requested_at, "fetched again next time")
        with self.assertLogs('odoo.addons.ddcpts_kra_etims.models.ddcpts_etims_device', 'WARNING') as logs:
            self.kra_lists('selectTrnsPurchaseSalesList', {'saleList': [dict(sale, spplrInvcNo=[78])]})
            # what the cron runs for each device
            self.device._etims_run_per_device('_etims_fetch_purchases', "supplier invoices not fetched")
        self.assertIn("saleList[0].spplrInvcNo: must be a string, not a list", logs.output[0])
        self.assertFalse(Move.search([('etims_supplier_tin', '=', SELLER_PIN)]), "the cron books nothing either")
        self.kra_lists('selectTrnsPurchaseSalesList', {'saleList': [good, sale]})
        self.device.action_fetch_purchases()
        self.assertEqual(sorted(Move.search([('etims_supplier_tin', '=', SELLER_PIN)]).mapped('ref')), ['78', '79'],
                         "the same invoices, sent readable, are booked")

    def test_unusable_import_items_are_refused_and_nothing_is_stored(self):
        entry = {'taskCd': '2239079', 'dclDe': '10012024', 'itemSeq': 1, 'dclNo': 'C3460-2019-TZDL',
                 'hsCd': '1231531231', 'itemNm': "Tablets", 'imptItemsttsCd': '2', 'orgnNatCd': 'CN', 'pkg': 2,
                 'qty': 20, 'totWt': 40, 'netWt': 36, 'invcFcurAmt': 8000, 'invcFcurCd': 'USD', 'invcFcurExcrt': 130.5}
        Item = self.env['ddcpts.etims.import.item']
        for bad, error in [
            (dict(entry, taskCd='2239079\x00'), r"itemList\[1\]\.taskCd: contains a NUL or control character"),
            (dict(entry, itemSeq={'seq': 2}), r"itemList\[1\]\.itemSeq: must be a whole number, not an object"),
            (dict(entry, hsCd='1' * 18), r"itemList\[1\]\.hsCd: is longer than 17 characters"),
            (dict(entry, qty='twenty'), r"itemList\[1\]\.qty: is not an amount"),
        ]:
            with self.subTest(error=error):
                self.kra_lists('selectImportItemList', {'itemList': [dict(entry, itemSeq=2), bad]})
                with self.assertRaisesRegex(UserError,
                                            r"selectImportItemList with data that cannot be used \(" + error):
                    self.device.action_fetch_import_items()
                self.assertFalse(Item.search([('task_code', '=like', '2239079%')]), "nothing stored")
        self.kra_lists('selectImportItemList', {'itemList': [dict(entry, itemSeq=2), entry]})
        self.device.action_fetch_import_items()
        self.assertEqual(Item.search([('task_code', '=', '2239079')]).mapped('item_sequence'), [1, 2])

    def test_supplier_pin_our_validation_refuses_does_not_stop_the_fetch(self):
        Partner = self.env['res.partner']
        odd = Partner._etims_supplier('P05222222', "Odd Supplier Ltd", self.company)
        self.assertEqual((odd.name, odd.kra_pin, odd.ref), ("Odd Supplier Ltd", False, 'P05222222'))
        self.assertEqual(Partner._etims_supplier('P05222222', "Odd Supplier Ltd", self.company), odd, "found again")

    def test_purchase_confirmation_is_retried_and_994_counts_as_done(self):
        self.device.action_fetch_purchases()
        bill = self.env['account.move'].search([('etims_supplier_invoice_number', '=', '77')])
        bill.invoice_line_ids.product_id = self.juice
        self.sandbox_rule(path='/etims-api/insertTrnsPurchase', status=502)
        bill.action_post()
        self.assertEqual(bill.state, 'posted', "an eTIMS outage never blocks posting")
        self.assertEqual(bill.etims_purchase_state, 'error')
        self.assertIn("HTTP 502", bill.etims_error)
        self.assertEqual(bill.etims_purchase_number, 0, "a number KRA did not take goes back to the branch")
        self.sandbox_rule(path='/etims-api/insertTrnsPurchase', result={'resultCd': '994'})
        self.env['account.move']._cron_retry_purchase_confirmations()
        self.assertEqual(bill.etims_purchase_state, 'confirmed', "KRA already had it")
        self.assertEqual(bill.etims_purchase_number, 1, "the branch's purchase numbering has no gap")
        self.assertEqual(self.device._etims_counter('purchase').last_number, 1)

    def test_import_items_are_approved_or_rejected(self):
        laptop = self.etims_product("Laptop computers", 90000, self.tax_16, self.class_software)
        self.device.action_fetch_import_items()
        items = self.env['ddcpts.etims.import.item'].search([('device_id', '=', self.device.id)],
                                                             order='item_sequence')
        self.assertEqual(items.mapped('name'), ["Laptop computers", "Laptop bags"])
        first, second = items
        self.assertEqual((str(first.declaration_date), first.declaration_date_raw, first.status),
                         ('2024-01-10', '10012024', '2'))
        self.assertEqual(first.product_id, laptop, "matched by name")
        self.assertFalse(second.product_id)
        with self.assertRaisesRegex(UserError, "Choose the product"):
            second.action_approve()
        first.action_approve()
        second.action_reject()
        self.assertEqual(items.mapped('status'), ['3', '4'])
        approval = self.sandbox_requests('/etims-api/updateImportItem')[0]['json']
        self.assertEqual((approval['imptItemSttsCd'], approval['dclDe'], approval['itemCd']),
                         ('3', '10012024', laptop.with_company(self.company).etims_item_code))
        self.assertEqual(self.sandbox_state()['imports'][f'{COMPANY_PIN}/00'], {'2239078/1': '3', '2239078/2': '4'})
        with self.assertRaisesRegex(UserError, "already answered"):
            first.action_reject()
