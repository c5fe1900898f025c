from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools.actions import notification


class DdcptsSaccoLoanReschedule(models.Model):
    """A request to reschedule an active loan (Fineract's loan reschedule request): a new term and/or
    first due date for the principal not yet due. Applied at once, or, when the loan's product needs
    an approval level for its amount, by a second person of that level (maker-checker)."""
    _name = 'ddcpts.sacco.loan.reschedule'
    _description = "SACCO Loan Reschedule"
    _order = 'id desc'
    _check_company_auto = True

    loan_id = fields.Many2one('ddcpts.sacco.loan', required=True, ondelete='cascade', index=True,
                              check_company=True, domain="[('state', '=', 'active')]")
    company_id = fields.Many2one(related='loan_id.company_id', store=True, index=True)
    currency_id = fields.Many2one(related='loan_id.currency_id')
    state = fields.Selection([('draft', "Draft"), ('to_approve', "To Approve"), ('done', "Done"),
                              ('cancelled', "Cancelled")], default='draft', required=True, readonly=True)
    date = fields.Date("Reschedule On", required=True, default=fields.Date.context_today,
                       help="Installments due by this day stay as they are.")
    installments = fields.Integer("New Number of Installments", required=True)
    first_due_date = fields.Date("New First Due Date", help="Empty: one period after the last due date passed.")
    reason = fields.Char(required=True)
    principal = fields.Monetary("Principal Re-amortised", readonly=True)
    requested_by_id = fields.Many2one('res.users', readonly=True)
    approved_by_id = fields.Many2one('res.users', readonly=True)

    _sql_constraints = [
        ('installments_positive', 'CHECK(installments > 0)', "A new schedule needs at least one installment."),
    ]

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        loan = self.env['ddcpts.sacco.loan'].browse(values.get('loan_id'))
        if loan and 'installments' in fields_list:
            values.setdefault('installments', len(loan.line_ids.filtered(lambda line: line.state != 'paid')))
        return values

    def _reschedule_level(self):
        return self.loan_id.product_id._loan_required_level(self.loan_id.amount_requested)

    def action_request(self):
        """Apply the reschedule, or ask the product's approval level for the loan's amount."""
        self.ensure_one()
        if self.state != 'draft':
            raise UserError(_("This reschedule was requested already."))
        self.loan_id._loan_check_state(('active',), _("reschedule the loan"))
        self.requested_by_id = self.env.user
        level = self._reschedule_level()
        if not level:
            return self._reschedule_apply()
        self.state = 'to_approve'
        self.loan_id.message_post(body=_(
            "Reschedule to %(count)s installments requested by %(user)s (%(reason)s); %(group)s must approve it.",
            count=self.installments, user=self.env.user.name, reason=self.reason, group=level.group_id.full_name))
        self.loan_id.activity_schedule('mail.mail_activity_data_todo', user_id=self.loan_id.user_id.id,
                                       summary=_("Approve the reschedule of %s", self.loan_id.name))
        # the request's dialog closes: say (until read) why the schedule did not change yet
        return notification(_("%s must approve it before the new schedule applies.", level.group_id.full_name),
                            _("Reschedule of %s requested", self.loan_id.name), 'info', sticky=True,
                            close=True)

    def action_approve(self):
        """The checker: never the person who requested it, and in the approval level's group."""
        self.ensure_one()
        if self.state != 'to_approve':
            raise UserError(_("Only a reschedule waiting for approval can be approved."))
        if self.env.user == self.requested_by_id:
            raise UserError(_("%s requested this reschedule: another person must approve it.", self.env.user.name))
        level = self._reschedule_level()
        if level and level.group_id not in self.env.user.groups_id:
            raise UserError(_("The reschedule of %(loan)s must be approved by %(group)s.", loan=self.loan_id.name,
                              group=level.group_id.full_name))
        self.approved_by_id = self.env.user
        self.loan_id.activity_feedback(['mail.mail_activity_data_todo'])
        return self._reschedule_apply()

    def action_cancel(self):
        if self.filtered(lambda request: request.state == 'done'):
            raise UserError(_("A reschedule that was applied cannot be cancelled."))
        self.write({'state': 'cancelled'})
        return True

    def _reschedule_apply(self):
        self.ensure_one()
        principal = self.loan_id._loan_reschedule(self.installments, self.date, self.first_due_date or None)
        self.write({'state': 'done', 'principal': principal})
        return True
