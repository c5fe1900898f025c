"""A Kenyan company (KES, l10n_ke chart) with an eTIMS device pointed at the simulator."""
from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon, AccountTestInvoicingHttpCommon
from odoo.addons.ddcpts_base.tests.common import SandboxMixin, sandbox_url

COMPANY_PIN = 'P051234999T'
CUSTOMER_PIN = 'P051365947M'


class EtimsSetupMixin(SandboxMixin):
    country_code = 'KE'
    chart_template = 'ke'

    @classmethod
    def setup_etims(cls):
        env = cls.env
        cls.company = cls.company_data['company']
        cls.company.partner_id.kra_pin = COMPANY_PIN
        env.user.groups_id |= env.ref('ddcpts_base.group_ddcpts_manager')
        cls.kes = env.ref('base.KES')
        cls.device = env['ddcpts.etims.device'].create({
            'name': "Head office",
            'tin': COMPANY_PIN,
            'serial_number': 'TEST-OSCU-0001',
            'environment': 'custom',
            'custom_url': f'{sandbox_url()}/etims-api/',
            'timeout': 5,
        })
        template = env['account.chart.template'].with_company(cls.company)
        cls.tax_16, cls.tax_8, cls.tax_0, cls.tax_exempt = (
            template.ref(xmlid) for xmlid in ('ST16', 'ST8', 'ST0', 'STEX'))
        cls.purchase_tax_16 = template.ref('PT16')
        cls.tax_16_included = cls.tax_16.copy({'name': "16% incl.", 'price_include_override': 'tax_included'})
        cls.class_juice = cls.item_class('5020230100', "Fruit juices", 'B')
        cls.class_software = cls.item_class('8111150000', "Software services", 'B')
        cls.class_maize = cls.item_class('5010150100', "Maize", 'A')
        cls.uom_kg = env.ref('uom.product_uom_kgm')
        cls.juice = cls.etims_product("Mango juice 1L", 116, cls.tax_16, cls.class_juice)
        cls.sugar = cls.etims_product("Sugar", 180, cls.tax_8, cls.class_juice, uom_id=cls.uom_kg.id,
                                      uom_po_id=cls.uom_kg.id)
        cls.support = cls.etims_product("Support hour", 2500, cls.tax_16, cls.class_software, type='service',
                                        uom_id=env.ref('uom.product_uom_hour').id,
                                        uom_po_id=env.ref('uom.product_uom_hour').id)
        cls.maize = cls.etims_product("Maize flour", 200, cls.tax_exempt, cls.class_maize)
        cls.customer = env['res.partner'].create({
            'name': "Savannah Supplies Ltd", 'kra_pin': CUSTOMER_PIN, 'is_company': True,
            'country_id': env.ref('base.ke').id, 'mobile': '0712 345 678',
            'property_payment_term_id': env.ref('account.account_payment_term_immediate').id,
        })

    @classmethod
    def item_class(cls, code, name, tax_type):
        """KRA's classifications are global (the demo data may have some already)."""
        ItemClass = cls.env['ddcpts.etims.item.class']
        return ItemClass.search([('code', '=', code)]) or ItemClass.create(
            {'code': code, 'name': name, 'tax_type': tax_type})

    @classmethod
    def etims_product(cls, name, price, tax, item_class, **values):
        return cls.env['product.product'].create({
            'name': name, 'list_price': price, 'taxes_id': [Command.set(tax.ids)], 'etims_item_class_id': item_class.id,
            'property_account_income_id': cls.company_data['default_account_revenue'].id,
            'property_account_expense_id': cls.company_data['default_account_expense'].id, **values,
        })

    @classmethod
    def create_invoice(cls, lines, move_type='out_invoice', partner=None, post=False, **values):
        """``lines``: ``(product, quantity, price_unit, taxes[, discount])`` tuples."""
        move = cls.env['account.move'].create({
            'move_type': move_type,
            'partner_id': (partner or cls.customer).id,
            'invoice_date': fields.Date.today(),
            'invoice_line_ids': [Command.create({
                'product_id': product.id, 'quantity': quantity, 'price_unit': price,
                'tax_ids': [Command.set(taxes.ids)], 'discount': discount[0] if discount else 0.0,
            }) for product, quantity, price, taxes, *discount in lines],
            **values,
        })
        if post:
            move.action_post()
        return move

    def sandbox_state(self):
        return self.sandbox('GET', 'state')['etims']

    def sent_sales(self):
        return [request['json'] for request in self.sandbox_requests('/etims-api/saveTrnsSalesOsdc')]


class EtimsCase(EtimsSetupMixin, AccountTestInvoicingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # calls are logged "in their own transaction": keep them inside the test's
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.setup_etims()

    def setUp(self):
        super().setUp()
        self.sandbox_reset()
        self.device.action_initialize()


class EtimsHttpCase(EtimsSetupMixin, AccountTestInvoicingHttpCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_etims()

    def setUp(self):
        super().setUp()
        self.sandbox_reset()
        self.device.action_initialize()
