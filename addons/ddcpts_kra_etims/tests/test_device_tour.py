from odoo.tests import tagged

from odoo.addons.ddcpts_kra_etims.tests.common import EtimsHttpCase


@tagged('post_install', '-at_install')
class TestDeviceFormTour(EtimsHttpCase):

    def test_device_form_shows_the_checklist_and_readable_dates(self):
        self.assertRegex(self.device.codes_requested_at, r'^\d{14}$', "kept in KRA's format for the API")
        self.start_tour(f'/odoo/action-ddcpts_kra_etims.ddcpts_etims_device_action/{self.device.id}',
                        'ddcpts_etims_device_setup', login=self.env.user.login)
