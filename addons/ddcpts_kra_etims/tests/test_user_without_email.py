from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.ddcpts_kra_etims.tests.common import EtimsCase


@tagged('post_install', '-at_install')
class TestUserWithoutEmail(EtimsCase):

    def test_user_without_email_confirms_a_994_receipt(self):
        """An integration user (no e-mail address, docs/api.md) enters the receipt KRA already had."""
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', result={'resultCd': '994'})
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual(invoice.etims_state, 'to_confirm')
        clerk = self.env['res.users'].create({
            'name': "Till bot", 'login': 'till_bot', 'company_id': self.company.id,
            'company_ids': [Command.set(self.company.ids)],
            'groups_id': [Command.set([self.env.ref('base.group_user').id,
                                       self.env.ref('account.group_account_invoice').id])],
        })
        self.assertFalse(clerk.email)
        invoice.write({
            'etims_receipt_number': '1', 'etims_total_receipt_number': '1', 'etims_sdc_datetime': fields.Datetime.now(),
            'etims_internal_data': 'EAHSAV6ECUUXSY6PCCJYAUP6MI', 'etims_signature': 'QUII27MATATSHFRB'})
        invoice.with_user(clerk).action_etims_confirm_receipt()
        self.assertEqual(invoice.etims_state, 'signed')
        self.assertEqual(invoice.message_ids[0].author_id, clerk.partner_id)
