from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.ddcpts_sacco_loan import const


class DdcptsSaccoLoanGuarantor(models.Model):
    """A member's pledge of their free deposits for another member's loan.

    While the loan is open, the pledge still locked (``amount_locked``: the pledge in proportion to the
    principal still owed) is taken off the guarantor's free deposits.
    """
    _name = 'ddcpts.sacco.loan.guarantor'
    _description = "SACCO Loan Guarantor"
    _inherit = ['ddcpts.chatter.mixin', 'mail.thread']
    _order = 'loan_id, id'
    _check_company_auto = True

    loan_id = fields.Many2one('ddcpts.sacco.loan', required=True, ondelete='cascade', index=True, check_company=True)
    member_id = fields.Many2one('ddcpts.sacco.member', "Guarantor", required=True, index=True, check_company=True,
                                ondelete='restrict')
    partner_id = fields.Many2one(related='member_id.partner_id', store=True, index=True)
    borrower_id = fields.Many2one(related='loan_id.member_id', store=True, string="Borrower")
    company_id = fields.Many2one(related='loan_id.company_id', store=True, index=True)
    currency_id = fields.Many2one(related='loan_id.currency_id')
    amount = fields.Monetary("Pledged", required=True, tracking=True)
    state = fields.Selection(const.GUARANTOR_STATES, default='requested', required=True, readonly=True,
                             tracking=True, index=True)
    answered_on = fields.Datetime(readonly=True)
    amount_locked = fields.Monetary("Still Locked", compute='_compute_amount_locked', store=True,
                                    help="The pledge in proportion to the principal still owed.")
    amount_recovered = fields.Monetary("Recovered on Default", readonly=True)

    _sql_constraints = [
        ('loan_member_uniq', 'unique(loan_id, member_id)', "A member guarantees a loan once."),
        ('amount_positive', 'CHECK(amount > 0)', "A pledge must be greater than zero."),
    ]

    @api.depends('state', 'amount', 'loan_id.state', 'loan_id.principal', 'loan_id.principal_outstanding')
    def _compute_amount_locked(self):
        for pledge in self:
            loan = pledge.loan_id
            if pledge.state != 'accepted' or loan.state not in ('draft', 'submitted', 'appraisal', *const.OPEN_STATES):
                pledge.amount_locked = 0.0
            elif loan.state != 'active' or not loan.principal:
                pledge.amount_locked = pledge.amount
            else:
                share = min(loan.principal_outstanding / loan.principal, 1.0)
                pledge.amount_locked = pledge.currency_id.round(pledge.amount * share)

    @api.depends('member_id', 'loan_id')
    def _compute_display_name(self):
        for pledge in self:
            pledge.display_name = _("%(member)s for %(loan)s", member=pledge.member_id.display_name,
                                    loan=pledge.loan_id.name)

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        pledges = super().create(vals_list)
        pledges._loan_check_pledge()
        pledges.filtered(lambda g: g.loan_id.state != 'draft')._loan_notify_request()
        return pledges

    def write(self, vals):
        if {'amount', 'member_id', 'loan_id'} & set(vals):
            locked = self.filtered(lambda g: g.loan_id.state not in ('draft', 'submitted', 'appraisal'))
            if locked:
                raise UserError(_("The pledges of %s are locked while the loan is approved or active.",
                                  locked[0].loan_id.name))
        result = super().write(vals)
        if {'amount', 'member_id'} & set(vals):
            self._loan_check_pledge()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_unless_locked(self):
        if self.filtered(lambda g: g.amount_locked and g.loan_id.state in const.OPEN_STATES):
            raise UserError(_("A pledge is locked while its loan is approved or active."))

    def _loan_check_pledge(self):
        """Who may guarantee and how much: another active member, not excluded by employer, within their
        free deposits and their number of guarantees."""
        for pledge in self:
            member, loan, product = pledge.member_id, pledge.loan_id, pledge.loan_id.product_id
            if member == loan.member_id:
                raise ValidationError(_("%s cannot guarantee their own loan: their free deposits already count "
                                        "towards the cover.", member.name))
            if member.state != 'active':
                raise ValidationError(_("%s is not an active member and cannot guarantee loans.", member.name))
            if member.employer_id and member.employer_id in product.guarantor_exclude_employer_ids:
                raise ValidationError(_("Employees of %(employer)s cannot guarantee %(product)s loans.",
                                        employer=member.employer_id.name, product=product.name))
            if product.guarantor_max_active:
                active = self.search_count([('member_id', '=', member.id), ('id', '!=', pledge.id),
                                            ('state', 'in', ('requested', 'accepted')),
                                            ('loan_id.state', 'not in', ('closed', 'rejected', 'withdrawn',
                                                                         'written_off'))])
                if active >= product.guarantor_max_active:
                    raise ValidationError(_("%(member)s already guarantees %(count)s loans, the most a member may.",
                                            member=member.name, count=active))
            pledge._loan_check_free_deposits()

    def _loan_check_free_deposits(self):
        self.ensure_one()
        member, currency = self.member_id, self.currency_id
        products = self.loan_id.product_id._loan_deposit_products()
        free = member._loan_free_deposits(products)[member] + self.amount_locked
        if currency.compare_amounts(self.amount, free) > 0:
            raise ValidationError(_("%(member)s has %(free)s of free deposits: a pledge of %(amount)s is too much.",
                                    member=member.name, free=currency.format(max(free, 0.0)),
                                    amount=currency.format(self.amount)))

    def _loan_notify_request(self):
        self.loan_id._loan_sms('ddcpts_sacco_loan.sms_template_loan_guarantor_request', records=self)

    def action_accept(self):
        """The guarantor agrees (at the counter, on the portal or by USSD): their deposits are checked again
        at this moment and the pledge starts counting."""
        for pledge in self:
            if pledge.state != 'requested':
                raise UserError(_("The guarantee %s was answered already.", pledge.display_name))
            if pledge.loan_id.state not in ('draft', 'submitted', 'appraisal'):
                raise UserError(_("%s is no longer an open application.", pledge.loan_id.name))
            pledge._loan_check_free_deposits()
            pledge.write({'state': 'accepted', 'answered_on': fields.Datetime.now()})
            pledge.loan_id.message_post(body=_("%(member)s accepted to guarantee %(amount)s.",
                                               member=pledge.member_id.display_name,
                                               amount=pledge.currency_id.format(pledge.amount)))
        return True

    def action_decline(self):
        for pledge in self:
            if pledge.state != 'requested':
                raise UserError(_("The guarantee %s was answered already.", pledge.display_name))
            pledge.write({'state': 'declined', 'answered_on': fields.Datetime.now()})
            pledge.loan_id.message_post(body=_("%s declined to guarantee the loan.", pledge.member_id.display_name))
            pledge.loan_id._loan_officer_activity(_("Find another guarantor"))
        return True
