from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class DdcptsSaccoNominee(models.Model):
    """Next of kin who receive a deceased member's money, each for a share of it (shares add up to 100 %)."""
    _name = 'ddcpts.sacco.nominee'
    _description = "SACCO Member Nominee"
    _order = 'member_id, sequence, id'

    member_id = fields.Many2one('ddcpts.sacco.member', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='member_id.company_id', store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    relationship = fields.Char()
    national_id = fields.Char("National ID")
    phone = fields.Char("Mobile")
    share_percent = fields.Float("Share (%)", digits=(5, 2), required=True, default=100.0)

    @api.constrains('share_percent')
    def _check_share_percent(self):
        if any(not 0 < nominee.share_percent <= 100 for nominee in self):
            raise ValidationError(_("A nominee's share is more than 0 % and at most 100 %."))

    @api.model_create_multi
    def create(self, vals_list):
        nominees = super().create(vals_list)
        nominees._sacco_check_member_shares(nominees.member_id)
        return nominees

    def write(self, vals):
        members = self.member_id
        result = super().write(vals)
        self._sacco_check_member_shares(members | self.member_id)
        return result

    def unlink(self):
        members = self.member_id
        result = super().unlink()
        self._sacco_check_member_shares(members.exists())
        return result

    def _sacco_check_member_shares(self, members):
        """Nominees edited on their own (not through their member's form) must still add up to 100 %."""
        if not self.env.context.get('sacco_nominee_batch'):
            members._check_nominee_shares()
