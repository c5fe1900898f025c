from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.ddcpts_kra_etims.tests.common import COMPANY_PIN, CUSTOMER_PIN, EtimsCase


@tagged('post_install', '-at_install')
class TestEtimsStockReporting(EtimsCase):
    """Validated transfers -> insertStockIO (numbered per branch) -> saveStockMaster with what is left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env['stock.warehouse'].search([('company_id', '=', cls.company.id)], limit=1)
        cls.juice.is_storable = True
        cls.juice.standard_price = 80.0
        cls.customer_location = cls.env.ref('stock.stock_location_customers')
        cls.supplier_location = cls.env.ref('stock.stock_location_suppliers')

    def transfer(self, picking_type, source, destination, quantity, partner=None):
        picking = self.env['stock.picking'].create({
            'picking_type_id': picking_type.id, 'location_id': source.id, 'location_dest_id': destination.id,
            'partner_id': (partner or self.customer).id,
            'move_ids': [Command.create({
                'name': self.juice.name, 'product_id': self.juice.id, 'product_uom_qty': quantity,
                'product_uom': self.juice.uom_id.id, 'location_id': source.id, 'location_dest_id': destination.id,
            })],
        })
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.write({'quantity': quantity, 'picked': True})
        picking.button_validate()
        return picking

    def receive(self, quantity):
        return self.transfer(self.warehouse.in_type_id, self.supplier_location, self.warehouse.lot_stock_id, quantity)

    def deliver(self, quantity):
        return self.transfer(self.warehouse.out_type_id, self.warehouse.lot_stock_id, self.customer_location, quantity)

    def stock_calls(self):
        return ([request['json'] for request in self.sandbox_requests('/etims-api/insertStockIO')],
                [request['json'] for request in self.sandbox_requests('/etims-api/saveStockMaster')])

    def test_receipts_and_deliveries_are_reported_in_order(self):
        receipt = self.receive(10)
        delivery = self.deliver(3)
        self.assertEqual([(picking.etims_stock_state, picking.etims_stock_number) for picking in receipt | delivery],
                         [('sent', 1), ('sent', 2)])
        movements, masters = self.stock_calls()
        self.assertEqual([(movement['sarNo'], movement['sarTyCd'], movement['orgSarNo']) for movement in movements],
                         [(1, '02', 0), (2, '11', 0)])
        item_code = self.juice.with_company(self.company).etims_item_code
        self.assertEqual((movements[1]['custTin'], movements[1]['itemList'][0]['itemCd'],
                          movements[1]['itemList'][0]['qty']), (CUSTOMER_PIN, item_code, 3.0))
        self.assertEqual(movements[1]['totAmt'], 278.4, "3 × cost 80 + 16 % VAT")
        self.assertEqual([(master['itemCd'], master['rsdQty']) for master in masters],
                         [(item_code, 10.0), (item_code, 7.0)])
        self.assertEqual(self.sandbox_state()['stock_master'][f'{COMPANY_PIN}/00'], {item_code: 7.0})

        wizard = self.env['stock.return.picking'].with_context(active_model='stock.picking',
                                                               active_id=delivery.id).create({})
        wizard.product_return_moves.quantity = 1
        returned = self.env['stock.picking'].browse(wizard.action_create_returns()['res_id'])
        returned.move_ids.write({'quantity': 1, 'picked': True})
        returned.button_validate()
        movement = self.stock_calls()[0][-1]
        self.assertEqual((movement['sarNo'], movement['sarTyCd'], movement['orgSarNo']), (3, '03', 2))

    def test_outage_keeps_the_number_and_retries(self):
        self.sandbox_rule(path='/etims-api/insertStockIO', status=503)
        receipt = self.receive(5)
        self.assertEqual((receipt.etims_stock_state, receipt.etims_stock_number), ('sending', 1))
        self.assertIn("HTTP 503", receipt.etims_error)
        receipt.sudo().etims_next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.env['ddcpts.etims.device']._cron_send_queue()
        self.env.invalidate_all()
        self.assertEqual((receipt.etims_stock_state, receipt.etims_stock_number), ('sent', 1))
        self.assertEqual([movement['sarNo'] for movement in self.stock_calls()[0]], [1, 1])

    def test_internal_transfers_are_not_reported_and_bad_products_are_named(self):
        self.assertFalse(self.warehouse.int_type_id.etims_stock_type)
        self.juice.etims_item_class_id = False
        receipt = self.receive(2)
        self.assertEqual((receipt.etims_stock_state, receipt.etims_stock_number), ('error', 0))
        self.assertIn("Product Mango juice 1L needs a KRA item classification", receipt.etims_error)
        self.juice.etims_item_class_id = self.class_juice
        receipt.action_etims_send_stock()
        self.assertEqual((receipt.etims_stock_state, receipt.etims_stock_number), ('sent', 1))

    def test_refused_stock_level_keeps_the_movement_number(self):
        """KRA took the movement (insertStockIO) but refused the stock level: the sarNo stays the movement's."""
        self.sandbox_rule(path='/etims-api/saveStockMaster', result={'resultCd': '910', 'resultMsg': "bad rsdQty"})
        first = self.receive(5)
        self.assertEqual((first.etims_stock_state, first.etims_stock_number), ('error', 1))
        self.assertIn("910 bad rsdQty", first.etims_error)
        second = self.receive(3)
        self.assertEqual((second.etims_stock_state, second.etims_stock_number), ('sent', 2), "never sarNo 1 again")
        first.action_etims_send_stock()
        self.assertEqual((first.etims_stock_state, first.etims_stock_number), ('sent', 1))
        self.assertEqual([movement['sarNo'] for movement in self.stock_calls()[0]], [1, 2, 1])
        self.assertEqual(self.sandbox_state()['stock_io'][f'{COMPANY_PIN}/00'], [1, 2])

    def test_stock_waits_for_the_sales_of_the_branch(self):
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', status=503)
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual(invoice.etims_state, 'sending')
        delivery = self.deliver(1)
        self.assertEqual((delivery.etims_stock_state, delivery.etims_stock_number), ('to_send', 0))
        self.assertFalse(self.stock_calls()[0], "nothing before the sale")
        invoice.sudo().etims_next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.env['ddcpts.etims.device']._cron_send_queue()
        self.env.invalidate_all()
        self.assertEqual((invoice.etims_state, delivery.etims_stock_state, delivery.etims_stock_number),
                         ('signed', 'sent', 1))
