from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.modules import module
from odoo.tests import TransactionCase, tagged

from odoo.addons.ddcpts_mail.tests.smtp_server import SmtpServer, closed_port


@tagged('post_install', '-at_install')
class TestMailFailover(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['ir.mail_server'].search([]).action_archive()
        cls.refusing, cls.accepting = SmtpServer(refuse_login=True), SmtpServer()
        cls.addClassCleanup(cls.refusing.close)
        cls.addClassCleanup(cls.accepting.close)
        cls.dead_server = cls.create_server("Dead", closed_port(), sequence=1)
        cls.login_refused = cls.create_server("Wrong password", cls.refusing.port, sequence=2)
        cls.working = cls.create_server("Working", cls.accepting.port, sequence=3)

    @classmethod
    def create_server(cls, name, port, **values):
        return cls.env['ir.mail_server'].create({
            'name': name, 'smtp_host': '127.0.0.1', 'smtp_port': port, 'smtp_encryption': 'none',
            'smtp_user': 'odoo', 'smtp_pass': 'secret', **values,
        })

    def setUp(self):
        super().setUp()
        self.accepting.messages.clear()

    def send_mail(self):
        mail = self.env['mail.mail'].create({
            'email_from': 'billing@example.co.ke', 'email_to': 'customer@example.com',
            'subject': "Invoice INV/2025/0001", 'body_html': '<p>Your invoice is ready.</p>',
        })
        with patch.object(module, 'current_test', False):  # really talk SMTP, as outside tests
            mail.send()
        return mail

    def test_connection_and_login_failures_are_retried_on_the_next_server(self):
        mail = self.send_mail()
        self.assertRecordValues(mail, [{'state': 'sent', 'failure_type': False}])
        self.assertEqual(len(self.accepting.messages), 1)
        self.assertIn('Subject: Invoice INV/2025/0001', self.accepting.messages[0])

    def test_exception_once_every_server_failed(self):
        self.working.smtp_port = self.refusing.port
        mail = self.send_mail()
        self.assertEqual(mail.state, 'exception')
        self.assertIn('535', mail.failure_reason)

    def test_servers_that_refuse_the_sender_are_skipped(self):
        self.working.from_filter = 'another-company.com'
        mail = self.send_mail()
        self.assertEqual(mail.state, 'exception')
        self.assertFalse(self.accepting.messages)

    def test_connection_test_tests_only_that_server(self):
        with patch.object(module, 'current_test', False), self.assertRaises(UserError):
            self.dead_server.test_smtp_connection()


@tagged('post_install', '-at_install')
class TestMailServerPresets(TransactionCase):

    def create_from_preset(self, **values):
        wizard = self.env['ddcpts.mail.server.preset'].create(values)
        action = wizard.action_create_server()
        self.assertFalse(wizard.password, "the password does not stay on the wizard")
        return self.env['ir.mail_server'].browse(action['res_id'])

    def test_presets(self):
        sendgrid = self.create_from_preset(preset='sendgrid', password='SG.test-key', from_filter='example.co.ke')
        self.assertRecordValues(sendgrid, [{
            'name': "SendGrid", 'smtp_host': 'smtp.sendgrid.net', 'smtp_port': 587, 'smtp_encryption': 'starttls',
            'smtp_user': 'apikey', 'smtp_pass': 'SG.test-key', 'from_filter': 'example.co.ke',
        }])
        mailgun = self.create_from_preset(preset='mailgun', mailgun_region='eu', smtp_user='postmaster@mg.example.com',
                                          password='pw')
        self.assertRecordValues(mailgun, [{'smtp_host': 'smtp.eu.mailgun.org',
                                           'smtp_user': 'postmaster@mg.example.com'}])
        ses = self.create_from_preset(preset='ses', ses_region='af-south-1', smtp_user='AKIAEXAMPLE', password='pw',
                                      sequence=20)
        self.assertRecordValues(ses, [{'smtp_host': 'email-smtp.af-south-1.amazonaws.com', 'smtp_port': 587,
                                       'sequence': 20}])
        plain = self.create_from_preset(preset='smtp', name="Office relay", smtp_host='mail.example.co.ke',
                                        smtp_port=465, smtp_encryption='ssl', smtp_user='odoo', password='pw')
        self.assertRecordValues(plain, [{'name': "Office relay", 'smtp_host': 'mail.example.co.ke', 'smtp_port': 465,
                                         'smtp_encryption': 'ssl'}])
        with self.assertRaisesRegex(UserError, "SMTP username"):
            self.create_from_preset(preset='ses', password='pw')
