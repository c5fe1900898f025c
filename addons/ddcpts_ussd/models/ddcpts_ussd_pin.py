import re

from passlib.context import CryptContext

from odoo import _, api, fields, models

from odoo.addons.ddcpts_base.tools import chatter
from odoo.addons.ddcpts_base.tools.locking import lock_rows
from odoo.addons.ddcpts_ussd.tools import menu as ussd

DEFAULT_MAX_ATTEMPTS = 3
# as Odoo hashes passwords (res.users), with fewer rounds: a caller waits for each check on a USSD
# screen, and the lockout after a few wrong tries is what protects a 4-digit PIN
PIN_CRYPT_CONTEXT = CryptContext(['pbkdf2_sha512'], pbkdf2_sha512__rounds=25000)


class DdcptsUssdPin(models.Model):
    """The USSD PIN of a contact: stored hashed, locked after too many wrong tries until staff unlock it."""
    _name = 'ddcpts.ussd.pin'
    _description = "USSD PIN"
    _order = 'id desc'
    _rec_name = 'partner_id'

    partner_id = fields.Many2one('res.partner', required=True, index=True, ondelete='cascade', readonly=True)
    company_id = fields.Many2one('res.company', required=True, index=True, readonly=True)
    pin_hash = fields.Char(required=True, groups='base.group_system', copy=False)
    failed_attempts = fields.Integer(readonly=True)
    locked = fields.Boolean(readonly=True, index=True)
    locked_at = fields.Datetime(readonly=True)
    changed_at = fields.Datetime("Last Changed", readonly=True)

    _sql_constraints = [
        ('partner_company_uniq', 'unique(partner_id, company_id)', "A contact has one USSD PIN per company."),
    ]

    @api.model
    def _ddcpts_for(self, partner, company):
        return self.sudo().search([('partner_id', '=', partner.id), ('company_id', '=', company.id)], limit=1)

    @api.model
    def _ddcpts_hash(self, pin):
        return PIN_CRYPT_CONTEXT.hash(pin)

    @api.model
    def _ddcpts_matches(self, pin, pin_hash):
        return PIN_CRYPT_CONTEXT.verify(pin, pin_hash)

    @api.model
    def _ddcpts_check_new_pin(self, pin):
        """A PIN is 4 digits, not all the same (``0000``): a caller reads the reason on the screen."""
        if not re.fullmatch(r'\d{4}', pin):
            raise ussd.InvalidInput(_("The PIN must be 4 digits."))
        if len(set(pin)) == 1:
            raise ussd.InvalidInput(_("Choose a less obvious PIN."))

    @api.model
    def _ddcpts_store_hash(self, partner, company, pin_hash):
        record = self._ddcpts_for(partner, company)
        values = {'pin_hash': pin_hash, 'failed_attempts': 0, 'locked': False, 'locked_at': False,
                  'changed_at': fields.Datetime.now()}
        if record:
            record.write(values)
        else:
            self.sudo().create(dict(values, partner_id=partner.id, company_id=company.id))

    @api.model
    def _ddcpts_max_attempts(self):
        return int(self.env['ir.config_parameter'].sudo().get_param(
            'ddcpts_ussd.pin_max_attempts', DEFAULT_MAX_ATTEMPTS))

    def _ddcpts_verify(self, pin):
        """Check a typed PIN; a wrong one is counted, and the PIN locks at the configured count.

        The row is locked first: two wrong tries at the same moment both count.
        """
        self.ensure_one()
        record = lock_rows(self.sudo())
        if record.locked:
            return False
        if self._ddcpts_matches(pin, record.pin_hash):
            if record.failed_attempts:
                record.failed_attempts = 0
            return True
        attempts = record.failed_attempts + 1
        values = {'failed_attempts': attempts}
        if attempts >= self._ddcpts_max_attempts():
            values.update(locked=True, locked_at=fields.Datetime.now())
        record.write(values)
        return False

    @api.model
    def _ddcpts_locked_text(self, company):
        return _("Your PIN is locked after too many wrong tries. Ask %s to unlock it.",
                 ussd.plain(company.name)[:60])

    def action_unlock(self):
        """Button (staff): let the caller try again; the PIN itself is unchanged."""
        self.check_access('write')
        self.sudo().write({'locked': False, 'locked_at': False, 'failed_attempts': 0})
        # the trace goes on the caller's contact, which USSD staff may not be allowed to edit
        author = {'author_id': self.env.user.partner_id.id, **chatter.sender(self.env)}
        for pin in self:
            pin.partner_id.sudo().message_post(body=_("USSD PIN unlocked by %s.", self.env.user.name), **author)
