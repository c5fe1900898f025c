from urllib.parse import parse_qs

from odoo.tests import tagged
from odoo.tools.misc import formatLang

from odoo.addons.ddcpts_sms.tests.common import AT_SEND_PATH, NotificationCase


@tagged('post_install', '-at_install')
class TestNotificationTemplates(NotificationCase):

    def render(self, xmlid, record, field='body'):
        return self.env.ref(xmlid)._render_field(field, record.ids)[record.id]

    def amount(self, value, currency):
        return formatLang(self.env, value, currency_obj=currency)

    def test_invoice_posted_sms_and_email_carry_the_pay_link(self):
        invoice = self.init_invoice('out_invoice', partner=self.partner_a, amounts=[1000], post=True)
        body = self.render('ddcpts_sms.sms_template_invoice_posted', invoice)
        pay_link = f'{invoice.get_base_url()}/my/invoices/{invoice.id}?access_token={invoice.access_token}'
        self.assertIn(f'invoice {invoice.name} of {self.amount(invoice.amount_residual, invoice.currency_id)}', body)
        self.assertTrue(body.endswith(f'Pay: {pay_link}'), body)
        email = self.render('ddcpts_sms.mail_template_invoice_posted', invoice, 'body_html')
        self.assertIn(pay_link.replace('&', '&amp;'), email)

        invoice._message_sms_with_template(template=self.env.ref('ddcpts_sms.sms_template_invoice_posted'),
                                           partner_ids=self.partner_a.ids)
        sent = parse_qs(self.sandbox_requests(AT_SEND_PATH)[0]['body'])
        self.assertEqual((sent['to'], sent['message']), (['+254701000001'], [body]))

    def test_payment_received_and_payout_done(self):
        payment = self.env['account.payment'].create({
            'payment_type': 'inbound', 'partner_type': 'customer', 'partner_id': self.partner_a.id, 'amount': 500.0,
            'journal_id': self.company_data['default_journal_bank'].id,
        })
        payment.action_post()
        body = self.render('ddcpts_sms.sms_template_payment_received', payment)
        self.assertIn(f'we received {self.amount(500.0, payment.currency_id)} from you by', body)
        self.assertEqual(self.render('ddcpts_sms.mail_template_payment_received', payment, 'subject'),
                         f'{self.env.company.name}: payment received ({payment.name})')

        payout = self.env['ddcpts.payout'].create({
            'partner_id': self.partner_a.id, 'amount': 750.0,
            'journal_id': self.company_data['default_journal_bank'].id,
        })
        body = self.render('ddcpts_sms.sms_template_payout_done', payout)
        self.assertIn(f'sent {self.amount(750.0, payout.currency_id)} to 254701000001, ref {payout.name}', body)
        self.assertIn('254701000001', self.render('ddcpts_sms.mail_template_payout_done', payout, 'body_html'))
