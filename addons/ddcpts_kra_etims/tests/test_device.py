import json

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.ddcpts_base.models.ddcpts_secret_mixin import SECRET_MASK
from odoo.addons.ddcpts_base.tests.common import sandbox_url
from odoo.addons.ddcpts_kra_etims.tests.common import COMPANY_PIN, CUSTOMER_PIN, EtimsCase

# KRA's selectInitOsdcInfo answer, verbatim from the specification (docs/providers/etims.md)
INIT_RESPONSE = json.loads(
    '{"resultCd":"000","resultMsg":"It is succeeded","resultDt":"20200226143124","data":{"info":{"tin":"A123456789Z",'
    '"taxprNm":"Taxpayer1130","bsnsActv":"business","bhfId":"00","bhfNm":"Headquater","bhfOpenDt":"20200226",'
    '"prvncNm":"NAIROBI CITY","dstrtNm":"WESTLANDS","sctrNm":"WON","locDesc":"Westlands Towers","hqYn":"Y",'
    '"mgrNm":"manage1130_00","mgrTelNo":"0789001130","mgrEmail":"manage113000@test.com","dvcId":"9999911300000001",'
    '"sdcId":"KRACU013000001","mrcNo":"WIS01000150","cmcKey":"f0b9831bd2334874b7ec815e40347bc4"}}}'
)


@tagged('post_install', '-at_install')
class TestEtimsDevice(EtimsCase):
    """Initialization (and the 902 case), headers, health, reference data with lastReqDt, customers."""

    def calls(self, endpoint):
        return self.env['ddcpts.provider.call'].search([('endpoint', '=', endpoint)], order='id')

    def test_initialization_keeps_what_kra_gives_once(self):
        self.device.action_reset()
        self.sandbox_rule(path='/etims-api/selectInitOsdcInfo', result=INIT_RESPONSE)
        self.device.action_initialize()
        self.assertRecordValues(self.device, [{
            'state': 'ready', 'sdc_id': 'KRACU013000001', 'mrc_no': 'WIS01000150', 'kra_device_id': '9999911300000001',
            'taxpayer_name': 'Taxpayer1130', 'branch_name': 'Headquater', 'cmc_key': SECRET_MASK,
        }])
        self.assertEqual(self.device._ddcpts_secret('cmc_key'), 'f0b9831bd2334874b7ec815e40347bc4')
        request = self.sandbox_requests('/etims-api/selectInitOsdcInfo')[-1]
        self.assertEqual(request['json'], {'tin': COMPANY_PIN, 'bhfId': '00', 'dvcSrlNo': 'TEST-OSCU-0001'})
        self.assertNotIn('cmckey', {name.lower() for name in request['headers']}, "sent without the headers")
        call = self.calls('selectInitOsdcInfo')[-1]
        self.assertNotIn('f0b9831bd2334874b7ec815e40347bc4', call.response_body, "the key is masked in the log")
        self.assertIn('KRACU013000001', call.response_body)
        with self.assertRaisesRegex(UserError, "reset it before changing"):
            self.device.branch_code = '01'

    def test_already_installed_device_is_set_up_by_hand(self):
        key = self.device._ddcpts_secret('cmc_key')
        self.device.action_reset()
        answer = self.device.action_initialize()
        self.assertEqual(answer['params']['type'], 'warning')
        self.assertIn("already installed (902)", answer['params']['message'])
        self.assertEqual(self.device.state, 'draft')
        self.device.cmc_key = '0' * 32
        with self.assertRaisesRegex(UserError, "did not accept the entered key"):
            self.device.action_confirm_manual_setup()
        self.assertEqual(self.device.state, 'draft')
        self.device.cmc_key = key
        self.device.action_confirm_manual_setup()
        self.assertEqual(self.device.state, 'ready')
        status = self.env['ddcpts.health.status'].search([('res_model', '=', self.device._name),
                                                           ('res_id', '=', self.device.id)])
        self.assertEqual(status.state, 'ok')

    def test_initialization_is_for_managers(self):
        self.device.action_reset()
        clerk = self.env['res.users'].create({
            'name': "Billing clerk", 'login': 'etims_clerk', 'company_id': self.company.id,
            'company_ids': [(6, 0, self.company.ids)],
            'groups_id': [(6, 0, self.env.ref('account.group_account_invoice').ids)],
        })
        with self.assertRaisesRegex(UserError, "Only East Africa Integrations managers"):
            self.device.with_user(clerk).action_initialize()

    def test_health_check_uses_the_headers(self):
        answer = self.device.action_ddcpts_check_health()
        self.assertEqual(answer['params']['type'], 'success')
        self.sandbox_reset()  # KRA forgot the device: its key is no longer valid
        answer = self.device.action_ddcpts_check_health()
        self.assertEqual(answer['params']['type'], 'danger')
        self.assertIn("901", answer['params']['message'])

    def test_device_data_is_validated(self):
        with self.assertRaises(ValidationError):
            self.device.copy({'tin': 'P12345', 'state': 'draft'})
        with self.assertRaisesRegex(ValidationError, "two digits"):
            self.device.copy({'branch_code': '1'})
        branch = self.device.copy({'branch_code': '01', 'name': "Mombasa"})
        self.assertEqual((branch.tin, branch.state), (COMPANY_PIN, 'draft'))
        with self.assertRaisesRegex(ValidationError, "custom environment"):
            branch.custom_url = False

    def test_reference_data_sync_moves_last_request_date(self):
        self.device.action_sync_reference_data()
        codes = self.env['ddcpts.etims.code']
        self.assertEqual(codes.search([('class_code', '=', '04'), ('code', '=', 'B')]).user_defined_1, '16')
        self.assertTrue(codes.search([('class_code', '=', '10'), ('code', '=', 'BA')]))
        self.assertEqual(self.env['ddcpts.etims.item.class'].search_count([('code', '=', '4321150100')]), 1)
        self.assertEqual(self.env['ddcpts.etims.notice'].search([]).mapped('title'), ["eTIMS OSCU maintenance"])
        branch = self.env['ddcpts.etims.branch'].search([('tin', '=', COMPANY_PIN)])
        self.assertEqual((branch.branch_code, branch.head_office, branch.has_device), ('00', True, True))
        dates = self.device.read(['codes_requested_at', 'item_classes_requested_at', 'notices_requested_at',
                                  'branches_requested_at'])[0]
        for name, value in dates.items():
            if name != 'id':
                self.assertRegex(value, r'^20\d{12}$')
                self.assertGreater(value, '20180101000000', name)
        requests = self.sandbox_requests('/etims-api/selectCodeList')
        self.assertEqual(requests[0]['json'], {'lastReqDt': '20180101000000'})
        counts = (codes.search_count([]), self.env['ddcpts.etims.item.class'].search_count([]))
        self.device.action_sync_reference_data()  # everything answers 001 now
        self.assertEqual(self.sandbox_requests('/etims-api/selectCodeList')[-1]['json'],
                         {'lastReqDt': dates['codes_requested_at']})
        self.assertEqual((codes.search_count([]), self.env['ddcpts.etims.item.class'].search_count([])), counts)
        self.assertEqual(self.device.codes_requested_at, dates['codes_requested_at'], "001 leaves the date")

    def test_synced_tax_rates_are_used(self):
        self.sandbox_rule(path='/etims-api/selectCodeList', result={'resultCd': '000', 'data': {'clsList': [{
            'cdCls': '04', 'cdClsNm': 'Taxation Type', 'dtlList': [
                {'cd': 'B', 'cdNm': 'B-16.00%', 'userDfnCd1': '16', 'srtOrd': 2, 'useYn': 'Y'},
                {'cd': 'E', 'cdNm': 'E-8%', 'userDfnCd1': 8, 'srtOrd': '5', 'useYn': 'Y'},
                {'cd': 'Z', 'cdNm': 'Withdrawn', 'useYn': 'N'},
            ]}]}})
        self.device._etims_fetch_since('selectCodeList', 'codes_requested_at',
                                       self.env['ddcpts.etims.code']._etims_import)
        self.assertEqual(self.env['ddcpts.etims.device']._etims_tax_rates()['E'], 8.0)
        withdrawn = self.env['ddcpts.etims.code'].with_context(active_test=False).search([('code', '=', 'Z')])
        self.assertFalse(withdrawn.active)

    def test_unreachable_etims(self):
        self.device.custom_url = 'http://127.0.0.1:9/etims-api/'
        with self.assertRaisesRegex(UserError, "could not be reached"):
            self.device.action_sync_reference_data()
        self.device.custom_url = f'{sandbox_url()}/etims-api/'
        self.sandbox_rule(path='/etims-api/selectCodeList', status=200, body="<html>maintenance</html>")
        with self.assertRaisesRegex(UserError, "no result code"):
            self.device.action_sync_reference_data()

    def test_customers_are_registered_with_the_branch_once(self):
        self.device.register_customers = True
        self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        [registration] = self.sandbox_requests('/etims-api/saveBhfCustomer')
        self.assertEqual((registration['json']['custTin'], registration['json']['custNm']),
                         (CUSTOMER_PIN, "Savannah Supplies Ltd"))
        self.assertEqual(self.customer.etims_registered_device_ids, self.device)

    def test_check_a_customer_pin(self):
        answer = self.customer.action_etims_check_pin()
        self.assertIn(f"{CUSTOMER_PIN} belongs to Taxpayer {CUSTOMER_PIN}", answer['params']['message'])
        unknown = self.env['res.partner'].create({'name': "Nobody", 'kra_pin': 'P000000000X'})
        self.assertIn("does not know", unknown.action_etims_check_pin()['params']['message'])
