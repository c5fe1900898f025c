from odoo import _, api, fields, models
from odoo.exceptions import UserError


class DdcptsSaccoShareTransfer(models.TransientModel):
    """Shares are not withdrawn but sold to another member: one entry moves them between the two members."""
    _name = 'ddcpts.sacco.share.transfer'
    _description = "SACCO Share Transfer"
    _check_company_auto = True

    from_member_id = fields.Many2one('ddcpts.sacco.member', "From", required=True, check_company=True)
    to_member_id = fields.Many2one('ddcpts.sacco.member', "To", required=True, check_company=True,
                                   domain="[('state', '=', 'active'), ('id', '!=', from_member_id)]")
    company_id = fields.Many2one(related='from_member_id.company_id')
    currency_id = fields.Many2one(related='company_id.currency_id')
    product_id = fields.Many2one('ddcpts.sacco.product', required=True, check_company=True,
                                 domain="[('kind', '=', 'share')]")
    amount = fields.Monetary(required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)

    @api.onchange('from_member_id')
    def _onchange_from_member_id(self):
        if not self.product_id:
            self.product_id = self.from_member_id.account_ids.filtered(lambda account: account.kind == 'share')[:1] \
                .product_id

    def action_transfer(self):
        self.ensure_one()
        if self.from_member_id == self.to_member_id:
            raise UserError(_("Choose another member to transfer the shares to."))
        if self.to_member_id.state != 'active':
            raise UserError(_("Shares go to an active member; %s is not.", self.to_member_id.display_name))
        if self.currency_id.compare_amounts(self.amount, 0) <= 0:
            raise UserError(_("A transfer is a positive amount."))
        source = self.from_member_id._sacco_account(self.product_id)
        held = source.balance
        if self.currency_id.compare_amounts(self.amount, held) > 0:
            raise UserError(_("%(member)s holds %(held)s of %(product)s: %(amount)s cannot be transferred.",
                              member=self.from_member_id.display_name, held=self.currency_id.format(held),
                              product=self.product_id.name, amount=self.currency_id.format(self.amount)))
        target = self.to_member_id._sacco_account(self.product_id)
        target._sacco_post(self.amount, self.product_id.account_id, date=self.date,
                           counterpart_partner=self.from_member_id.partner_id,
                           ref=_("Share transfer %(seller)s to %(buyer)s", seller=source.name, buyer=target.name))
        message = _("%(amount)s of %(product)s transferred from %(seller)s to %(buyer)s.",
                    amount=self.currency_id.format(self.amount), product=self.product_id.name,
                    seller=self.from_member_id.display_name, buyer=self.to_member_id.display_name)
        (self.from_member_id | self.to_member_id)._message_log_batch({
            member.id: message for member in self.from_member_id | self.to_member_id})
        return {'type': 'ir.actions.act_window_close'}
