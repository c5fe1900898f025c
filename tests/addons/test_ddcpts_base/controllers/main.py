from odoo import http

from odoo.addons.ddcpts_base.controllers.callback import callback_route


class TestDdcptsController(http.Controller):

    @callback_route('/ddcpts/test/<int:record_id>/<string:token>/event', provider_model='test.ddcpts.provider',
                    processor='test.ddcpts.event._process_event_callback')
    def test_event_callback(self, result):
        return {'ResultCode': 0, 'ResultDesc': 'Accepted'}

    @callback_route('/ddcpts/test/<int:record_id>/<string:token>/form', provider_model='test.ddcpts.provider',
                    processor='test.ddcpts.event._process_event_callback', content_type='form',
                    max_body_bytes=4096)
    def test_form_callback(self, result):
        return 'OK'

    @callback_route('/ddcpts/test/<int:record_id>/<string:token>/payout', provider_model='test.ddcpts.provider',
                    processor='ddcpts.payout._process_test_payout_result')
    def test_payout_callback(self, result):
        return {'received': True}

    @callback_route('/ddcpts/test/<int:record_id>/<string:token>/noop', provider_model='test.ddcpts.provider',
                    processor='test.ddcpts.event._process_noop_callback')
    def test_noop_callback(self, result):
        """Stores the callback and processes nothing: the cost of the storage itself (bench/)."""
        return result
