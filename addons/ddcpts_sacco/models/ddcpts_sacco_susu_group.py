from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

PERIODS = {'daily': relativedelta(days=1), 'weekly': relativedelta(weeks=1), 'monthly': relativedelta(months=1)}


class DdcptsSaccoSusuGroup(models.Model):
    """A rotating savings group (Ghanaian susu / ROSCA): every member pays the same amount each period and
    each period's pot goes to one member in the rotation order, through a payout.

    The pot is a general-ledger account of its own: contributions credit it with the member as partner,
    pots paid out debit it with the recipient as partner. What a member contributed and the group's pot
    are therefore read from posted journal items, like every SACCO balance.
    """
    _name = 'ddcpts.sacco.susu.group'
    _description = "Susu Group"
    _inherit = ['mail.thread']
    _check_company_auto = True

    name = fields.Char(required=True)
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related='company_id.currency_id')
    contribution = fields.Monetary(required=True, tracking=True, help="What each member pays every period.")
    period = fields.Selection([('daily', "Daily"), ('weekly', "Weekly"), ('monthly', "Monthly")], required=True,
                              default='monthly')
    start_date = fields.Date(required=True, default=fields.Date.context_today)
    account_id = fields.Many2one('account.account', "Pot Account", required=True, check_company=True,
                                 help="Liability account holding the contributions until the pot is paid out.")
    journal_id = fields.Many2one('account.journal', "Paid From", check_company=True,
                                 domain="[('type', 'in', ('bank', 'cash'))]")
    slot_ids = fields.One2many('ddcpts.sacco.susu.slot', 'group_id', "Rotation", copy=False)
    state = fields.Selection([('draft', "Draft"), ('running', "Running"), ('done', "Done")], default='draft',
                             required=True, readonly=True, tracking=True)
    pot = fields.Monetary(compute='_compute_pot', help="Contribution × members: what each period pays out.")
    pot_balance = fields.Monetary(compute='_compute_pot', help="Collected and not paid out yet.")

    _sql_constraints = [
        ('account_uniq', 'unique(account_id)', "Each susu group needs its own pot account."),
        ('contribution_positive', 'CHECK(contribution > 0)', "The contribution is a positive amount."),
    ]

    @api.depends('contribution', 'slot_ids')
    def _compute_pot(self):
        balances = dict(self.env['account.move.line'].sudo()._read_group(
            [('account_id', 'in', self.account_id.ids), ('parent_state', '=', 'posted')],
            ['account_id'], ['balance:sum']))
        for group in self:
            group.pot = group.contribution * len(group.slot_ids)
            group.pot_balance = -balances.get(group.account_id, 0.0)

    @api.constrains('slot_ids')
    def _check_members(self):
        for group in self:
            members = group.slot_ids.member_id
            if len(members) != len(group.slot_ids):
                raise ValidationError(_("A member appears twice in the rotation of %s.", group.name))
            if members.company_id - group.company_id:
                raise ValidationError(_("The members of %s belong to its company.", group.name))

    def _susu_periods_started(self, date):
        """How many periods have started by ``date`` (the first one on the start date)."""
        self.ensure_one()
        count, start = 0, self.start_date
        while start <= date and count < len(self.slot_ids):
            count += 1
            start += PERIODS[self.period]
        return count

    def action_start(self):
        for group in self:
            if len(group.slot_ids) < 2:
                raise UserError(_("%s needs at least two members.", group.name))
            group.state = 'running'

    def _susu_contributions(self, date=None):
        """What each member paid into the pot up to ``date``: {member: amount}, one query."""
        self.ensure_one()
        domain = [('account_id', '=', self.account_id.id), ('parent_state', '=', 'posted'),
                  ('partner_id', 'in', self.slot_ids.member_id.partner_id.ids)]
        if date:
            domain.append(('date', '<=', date))
        paid = dict(self.env['account.move.line'].sudo()._read_group(domain, ['partner_id'], ['credit:sum']))
        return {slot.member_id: paid.get(slot.member_id.partner_id, 0.0) for slot in self.slot_ids}

    def _susu_arrears(self, date=None):
        """{member: what they are behind} on ``date``: periods started × contribution − contributions."""
        self.ensure_one()
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        due = self._susu_periods_started(date) * self.contribution
        return {member: max(self.currency_id.round(due - paid), 0.0)
                for member, paid in self._susu_contributions(date).items()}

    def _susu_receive(self, member, amount, cash_account, journal, date=None, ref=None):
        """A member's contribution: cash or bank to the pot."""
        self.ensure_one()
        if self.state != 'running':
            raise UserError(_("%s is not running: it takes no contributions.", self.name))
        if member not in self.slot_ids.member_id:
            raise UserError(_("%(member)s is not in %(group)s.", member=member.display_name, group=self.name))
        move = member._sacco_post_entry(self.account_id, cash_account, amount, journal=journal, date=date,
                                        ref=ref or _("Susu %s", self.name))
        self.env['ddcpts.sacco.susu.group'].invalidate_model(['pot_balance'])
        return move

    def action_pay_next_pot(self):
        """Pay the pot of the next member in the rotation through a payout (approved by a second person)."""
        self.ensure_one()
        if self.state != 'running':
            raise UserError(_("Start %s first.", self.name))
        slot = self.slot_ids.filtered(lambda s: not s.payout_id or s.payout_id.state in ('failed', 'cancelled'))[:1]
        if not slot:
            raise UserError(_("Every member of %s has received the pot.", self.name))
        if not self.journal_id:
            raise UserError(_("Choose the journal the pots are paid from."))
        in_flight = self.slot_ids.payout_id.filtered(
            lambda payout: payout.state in ('draft', 'to_approve', 'approved', 'sent'))
        if in_flight:
            raise UserError(_("The pot of %s is on its way already.", in_flight[0].partner_id.name))
        if self.currency_id.compare_amounts(self.pot_balance, self.pot) < 0:
            raise UserError(_("The pot of %(group)s is not complete: %(collected)s collected of %(pot)s.",
                              group=self.name, collected=self.currency_id.format(self.pot_balance),
                              pot=self.currency_id.format(self.pot)))
        payout = self.env['ddcpts.payout'].create({
            'partner_id': slot.member_id.partner_id.id, 'recipient_phone': slot.member_id.phone, 'amount': self.pot,
            'journal_id': self.journal_id.id, 'origin': f'{self._name},{self.id}', 'company_id': self.company_id.id,
            'purpose': _("Susu %s pot", self.name),
        })
        payout.action_submit()
        slot.payout_id = payout
        return payout

    def _susu_complete(self):
        for group in self.filtered(lambda g: g.state == 'running'):
            if all(slot.payout_id.state == 'done' for slot in group.slot_ids):
                group.state = 'done'
