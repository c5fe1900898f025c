import logging
import smtplib

from odoo import api, models

from odoo.addons.ddcpts_mail import const

_logger = logging.getLogger(__name__)

# what a dead, unreachable or credential-refusing server raises (OSError covers refused connections,
# DNS failures, timeouts and SSL errors)
FAILOVER_ERRORS = (OSError, smtplib.SMTPException)


class IrMailServer(models.Model):
    """Email failover and one-click presets for SendGrid, Mailgun, Amazon SES and plain SMTP.

    When the server chosen for an email cannot be reached or refuses the login, the next active
    servers (by sequence) that accept the sender address are tried before the email is marked as
    failed: ``mail.mail.send()`` and ``send_email()`` both connect through ``connect()``.
    """
    _inherit = 'ir.mail_server'

    def connect(self, host=None, port=None, user=None, password=None, encryption=None, smtp_from=None,
                ssl_certificate=None, ssl_private_key=None, smtp_debug=False, mail_server_id=None,
                allow_archived=False):
        arguments = {
            'host': host, 'port': port, 'user': user, 'password': password, 'encryption': encryption,
            'ssl_certificate': ssl_certificate, 'ssl_private_key': ssl_private_key, 'smtp_debug': smtp_debug,
            'allow_archived': allow_archived,
        }
        try:
            return super().connect(smtp_from=smtp_from, mail_server_id=mail_server_id, **arguments)
        except FAILOVER_ERRORS as error:
            if host or self.env.context.get('ddcpts_no_mail_failover'):
                raise
            failed = self.sudo().browse(mail_server_id) if mail_server_id \
                else self.sudo()._find_mail_server(smtp_from)[0] or self.browse()
            for server in failed._ddcpts_failover_servers(smtp_from):
                _logger.warning("Mail server %s failed (%s): trying %s", failed.display_name, error, server.name)
                try:
                    return super().connect(smtp_from=smtp_from, mail_server_id=server.id, **arguments)
                except FAILOVER_ERRORS as next_error:
                    failed, error = server, next_error
            raise error from None

    def _ddcpts_failover_servers(self, smtp_from):
        """Active servers after this one (by sequence) whose sender filter accepts ``smtp_from``."""
        if not self:
            return self
        servers = self.search([('id', '!=', self.id)], order='sequence, id')
        return servers.filtered(
            lambda server: (server.sequence, server.id) > (self.sequence, self.id)
            and (not smtp_from or self._match_from_filter(smtp_from, server.from_filter))
        )

    def test_smtp_connection(self, autodetect_max_email_size=False):
        """"Test Connection" tests this server, never a failover one."""
        return super(IrMailServer, self.with_context(ddcpts_no_mail_failover=True)).test_smtp_connection(
            autodetect_max_email_size=autodetect_max_email_size,
        )

    @api.model
    def _ddcpts_preset_values(self, preset, region=None):
        """Connection values of a provider preset (host, port, encryption and, for SendGrid, the user)."""
        if preset == 'sendgrid':
            return {'smtp_host': 'smtp.sendgrid.net', 'smtp_port': 587, 'smtp_encryption': 'starttls',
                    'smtp_user': 'apikey', 'smtp_authentication': 'login'}
        if preset == 'mailgun':
            return {'smtp_host': const.MAILGUN_HOSTS.get(region or 'us', const.MAILGUN_HOSTS['us']), 'smtp_port': 587,
                    'smtp_encryption': 'starttls', 'smtp_authentication': 'login'}
        if preset == 'ses':
            return {'smtp_host': f'email-smtp.{region or "us-east-1"}.amazonaws.com', 'smtp_port': 587,
                    'smtp_encryption': 'starttls', 'smtp_authentication': 'login'}
        return {'smtp_port': 587, 'smtp_encryption': 'starttls', 'smtp_authentication': 'login'}
