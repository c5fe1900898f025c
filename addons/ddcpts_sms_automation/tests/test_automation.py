from urllib.parse import parse_qs

from odoo.tests import tagged

from odoo.addons.ddcpts_sms.tests.common import AT_SEND_PATH, NotificationCase

RULES = ('automation_invoice_posted', 'automation_payment_received', 'automation_payout_done')


@tagged('post_install', '-at_install')
class TestNotificationRules(NotificationCase):

    def rule(self, name):
        return self.env.ref(f'ddcpts_sms_automation.{name}')

    def sent_messages(self):
        return [parse_qs(request['body'])['message'][0] for request in self.sandbox_requests(AT_SEND_PATH)]

    def test_rules_are_shipped_inactive(self):
        for name in RULES:
            with self.subTest(rule=name):
                rule = self.rule(name).with_context(active_test=False)
                self.assertFalse(rule.active)
                self.assertEqual(sorted(rule.action_server_ids.mapped('state')), ['mail_post', 'sms'])
        self.init_invoice('out_invoice', partner=self.partner_a, amounts=[100], post=True)
        self.assertFalse(self.sent_messages())

    def test_invoice_posted_rule_sends_the_sms_and_the_email(self):
        self.rule('automation_invoice_posted').active = True
        invoice = self.init_invoice('out_invoice', partner=self.partner_a, amounts=[1000], post=True)
        self.assertEqual(len(self.sent_messages()), 1)
        self.assertIn(f'/my/invoices/{invoice.id}?access_token=', self.sent_messages()[0])
        email = invoice.message_ids.filtered(lambda message: message.subject == f'{invoice.company_id.name}: '
                                                                                  f'invoice {invoice.name}')
        self.assertIn(self.partner_a, email.partner_ids)
        self.init_invoice('in_invoice', partner=self.partner_a, amounts=[50], post=True)
        self.assertEqual(len(self.sent_messages()), 1, "vendor bills send nothing")

    def test_payout_done_rule(self):
        self.rule('automation_payout_done').active = True
        payout = self.env['ddcpts.payout'].create({
            'partner_id': self.partner_a.id, 'amount': 750.0,
            'journal_id': self.company_data['default_journal_bank'].id,
        })
        payout.sudo().write({'state': 'approved'})
        self.assertFalse(self.sent_messages())
        payout.sudo().write({'state': 'done', 'provider_reference': 'UBK3H9XYZ1'})
        self.assertEqual(len(self.sent_messages()), 1)
        self.assertIn('ref UBK3H9XYZ1', self.sent_messages()[0])
