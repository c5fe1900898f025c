from odoo import _, fields, models

from odoo.addons.ddcpts_sacco_loan import const


class DdcptsSaccoMember(models.Model):
    """Members borrow and guarantee: their loans and pledges hold them (exit) and lock their deposits."""
    _inherit = 'ddcpts.sacco.member'

    loan_ids = fields.One2many('ddcpts.sacco.loan', 'member_id', "Loans")
    guarantee_ids = fields.One2many('ddcpts.sacco.loan.guarantor', 'member_id', "Guarantees Given")
    loan_count = fields.Integer(compute='_compute_loan_count')

    def _compute_loan_count(self):
        counts = dict(self.env['ddcpts.sacco.loan']._read_group(
            [('member_id', 'in', self.ids)], ['member_id'], ['__count']))
        for member in self:
            member.loan_count = counts.get(member, 0)

    def _sacco_exit_blockers(self):
        blockers = super()._sacco_exit_blockers()
        loans = self.env['ddcpts.sacco.loan'].sudo().search(
            [('member_id', '=', self.id), ('state', 'in', ('submitted', 'appraisal', *const.OPEN_STATES))])
        if loans:
            blockers.append(_("loans %s are not repaid", ", ".join(loans.mapped('name'))))
        pledges = self.env['ddcpts.sacco.loan.guarantor'].sudo().search(
            [('member_id', '=', self.id), ('amount_locked', '>', 0)])
        if pledges:
            blockers.append(_("guarantees loans %s (replace the guarantor first)",
                              ", ".join(pledges.loan_id.mapped('name'))))
        return blockers

    def _loan_pledged(self):
        """Deposits each member has pledged and that are still locked (as guarantor). Set-based."""
        pledged = dict(self.env['ddcpts.sacco.loan.guarantor'].sudo()._read_group(
            [('member_id', 'in', self.ids), ('amount_locked', '>', 0)], ['member_id'], ['amount_locked:sum']))
        return {member: pledged.get(member, 0.0) for member in self}

    def _loan_deposits(self, products=None):
        """Balance of each member's deposit accounts (of ``products``, default every deposit product)."""
        accounts = self.account_ids.filtered(
            lambda account: account.kind == 'deposit' and (products is None or account.product_id in products))
        balances = accounts._sacco_balances()
        return {member: sum(balances[a] for a in accounts if a.member_id == member) for member in self}

    def _loan_free_deposits(self, products=None):
        """Deposits not pledged for anybody's loan: what a member can still pledge or borrow against."""
        deposits, pledged = self._loan_deposits(products), self._loan_pledged()
        return {member: member.currency_id.round(deposits[member] - pledged[member]) for member in self}

    def action_view_loans(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('ddcpts_sacco_loan.ddcpts_sacco_loan_action')
        action.update(domain=[('member_id', '=', self.id)], context={'default_member_id': self.id})
        return action
