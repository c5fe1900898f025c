from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase
from odoo.addons.test_ddcpts_base.tests.common import CallbackClientMixin, create_provider


@tagged('post_install', '-at_install')
class TestCallbackLogTour(CallbackClientMixin, DdcptsHttpCase):

    def test_settings_to_callback_log_tour(self):
        provider = create_provider(self.env, accepts_events=False)
        self.post_json(self.callback_path(provider), {'event_id': 'ddcpts-tour-event'})
        callback = self.env['ddcpts.callback'].search([('body', 'like', 'ddcpts-tour-event')])
        self.assertEqual(callback.state, 'failed')
        provider.accepts_events = True
        self.start_tour('/odoo/settings', 'ddcpts_settings_to_callback_log', login='admin')
        callback.invalidate_recordset()
        self.assertEqual(callback.state, 'processed')
        self.assertTrue(self.env['test.ddcpts.event'].search([('event_id', '=', 'ddcpts-tour-event')]))
