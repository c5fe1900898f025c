from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_mail import const


class DdcptsMailServerPreset(models.TransientModel):
    """One-click outgoing mail server for SendGrid, Mailgun, Amazon SES or any SMTP server.

    The password only passes through this wizard: it is written on the mail server (where Odoo keeps
    it) and erased from the wizard at once.
    """
    _name = 'ddcpts.mail.server.preset'
    _description = "Outgoing mail server preset"

    preset = fields.Selection(const.MAIL_PRESETS, string="Provider", required=True, default='sendgrid')
    name = fields.Char(compute='_compute_name', store=True, readonly=False, required=True, precompute=True)
    mailgun_region = fields.Selection([('us', "US"), ('eu', "EU")], default='us')
    ses_region = fields.Selection(const.SES_REGIONS, string="SES Region", default='eu-west-1')
    smtp_host = fields.Char("SMTP Server")
    smtp_port = fields.Integer("SMTP Port", default=587)
    smtp_encryption = fields.Selection([('none', "None"), ('starttls', "TLS (STARTTLS)"), ('ssl', "SSL/TLS")],
                                       string="Connection Encryption", default='starttls')
    smtp_user = fields.Char("Username", help="Mailgun: the SMTP login (postmaster@your-domain). Amazon SES: the "
                                             "SMTP user name (not the access key of the console).")
    password = fields.Char(help="SendGrid: an API key. Mailgun and SES: the SMTP password.")
    from_filter = fields.Char("FROM Filtering", help="Domain or addresses this server may send from.")
    sequence = fields.Integer(default=10, help="Servers are tried by sequence: a lower one is used first, "
                                               "the next ones take over when it cannot be reached.")

    @api.depends('preset')
    def _compute_name(self):
        labels = dict(const.MAIL_PRESETS)
        for wizard in self:
            wizard.name = labels.get(wizard.preset)

    def action_create_server(self):
        self.ensure_one()
        if self.preset != 'sendgrid' and not self.smtp_user:
            raise UserError(_("Enter the SMTP username given by %s.", dict(const.MAIL_PRESETS)[self.preset]))
        if self.preset == 'smtp' and not self.smtp_host:
            raise UserError(_("Enter the address of the SMTP server."))
        region = self.mailgun_region if self.preset == 'mailgun' else self.ses_region
        values = self.env['ir.mail_server']._ddcpts_preset_values(self.preset, region)
        if self.preset == 'smtp':
            values.update(smtp_host=self.smtp_host, smtp_port=self.smtp_port, smtp_encryption=self.smtp_encryption)
        values.setdefault('smtp_user', self.smtp_user)
        server = self.env['ir.mail_server'].create(dict(
            values, name=self.name, smtp_pass=self.password, from_filter=self.from_filter, sequence=self.sequence,
        ))
        self.password = False
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'ir.mail_server',
            'res_id': server.id,
            'view_mode': 'form',
        }
