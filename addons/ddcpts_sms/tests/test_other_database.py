"""The IAP override (``tools/sms_api.py``) is process-wide, since ``SmsApi`` is a plain class: in a
database of the same server where ddcpts_sms is not installed, SMS must still go to IAP unchanged.

A second database with only ``sms`` is installed by a separate Odoo process on the test cluster,
then opened in this process, where ddcpts_sms's registry has already installed the override. IAP
is replaced at its network edge (``iap_jsonrpc``)."""
import subprocess
import uuid
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service import db
from odoo.tests import tagged
from odoo.tests.common import TransactionCase
from odoo.tools import config

from odoo.addons.ddcpts_base.tests.common import odoo_command
from odoo.addons.ddcpts_sms.tools import sms_api
from odoo.addons.sms.tools.sms_api import SmsApi

INSTALL_TIMEOUT = 900  # seconds: installing mail and sms on a loaded 2-core machine


@tagged('post_install', '-at_install')
class TestOtherDatabase(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_db = f'{cls.env.cr.dbname}_nosms_{uuid.uuid4().hex[:8]}'
        cls.addClassCleanup(db.exp_drop, cls.other_db)
        install = subprocess.run(
            odoo_command('-d', cls.other_db, '-i', 'sms', '--without-demo=all', '--stop-after-init',
                         '--no-http', '--max-cron-threads=0', '--log-level=warn'),
            capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False,
        )
        if install.returncode:
            raise AssertionError(f"the database without ddcpts_sms was not created:\n{install.stdout[-3000:]}")

    def test_sms_api_is_stock_without_ddcpts_sms(self):
        self.assertIs(SmsApi._send_sms_batch, sms_api._send_sms_batch,
                      "this process's registry with ddcpts_sms installed the override")
        iap_calls = []

        def iap_jsonrpc(url, method='call', params=None, timeout=15):
            iap_calls.append((url, params))
            return [{'uuid': number['uuid'], 'state': 'success', 'credit': 1}
                    for message in params['messages'] for number in message['numbers']]

        # loading a registry with test_enable runs the at_install tests of every module it loads
        with patch.dict(config.options, test_enable=False):
            registry = Registry(self.other_db)
        with registry.cursor() as cr, patch('odoo.addons.iap.tools.iap_tools.iap_jsonrpc', side_effect=iap_jsonrpc):
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertNotIn('ddcpts_sms', env.registry._init_modules)
            self.assertNotIn('ddcpts.sms.gateway', env)
            sms = env['sms.sms'].create([{'number': '+254701000001', 'body': "Hello"},
                                         {'number': '+254701000002', 'body': "Hello"}])

            # the path SMS marketing's "Test" wizard takes: SmsApi called directly
            messages = [{'content': "Hello", 'numbers': [{'number': record.number, 'uuid': record.uuid}
                                                         for record in sms]}]
            results = SmsApi(env)._send_sms_batch(messages, delivery_reports_url='https://erp.example.co.ke/sms')
            self.assertEqual(results, [{'uuid': record.uuid, 'state': 'success', 'credit': 1} for record in sms])
            url, params = iap_calls[-1]
            self.assertEqual(url, 'https://sms.api.odoo.com/api/sms/3/send')
            self.assertEqual((params['messages'], params['webhook_url']), (messages, 'https://erp.example.co.ke/sms'))

            # the queue's path: sms.sms._send() of core, answered by IAP
            sms._send(unlink_sent=False)
            self.assertEqual(len(iap_calls), 2)
            self.assertEqual(sorted(number['number'] for number in iap_calls[-1][1]['messages'][0]['numbers']),
                             ['+254701000001', '+254701000002'])
            self.assertEqual(sms.mapped('state'), ['pending', 'pending'])
            cr.rollback()
