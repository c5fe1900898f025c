from unittest.mock import patch

from odoo.tests import tagged
from odoo.tests.common import HttpCase

from odoo.addons.base.models import ir_actions_report


@tagged('post_install', '-at_install')
class TestSaccoTour(HttpCase):
    """The main flow of an officer in the browser, on the demo SACCO: onboard, receive a deposit, print."""

    def test_onboard_receive_a_deposit_and_print_a_statement(self):
        self.env.company.external_report_layout_id = self.env.ref('web.external_layout_standard')
        # With wkhtmltopdf the web client downloads a PDF the browser cannot read; without it, it shows
        # the HTML preview. Pretend it is missing so the tour reads the statement whatever the machine has.
        with patch.object(ir_actions_report, 'wkhtmltopdf_state', 'install'):
            self.start_tour('/odoo/action-ddcpts_sacco.ddcpts_sacco_member_action', 'ddcpts_sacco_onboard',
                            login='admin')
        member = self.env['ddcpts.sacco.member'].search([('national_id', '=', '31415926')])
        self.assertRecordValues(member, [{'name': "Wanjiru Tour", 'state': 'active', 'kra_pin': 'A012345678Z',
                                          'phone': '254799123456'}])
        deposits = member.account_ids.filtered(lambda account: account.product_id == self.env.ref(
            'ddcpts_sacco.product_deposits'))
        self.assertEqual(deposits.balance, 2500)
