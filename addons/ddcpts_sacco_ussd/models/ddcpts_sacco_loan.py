from odoo import _, fields, models


class DdcptsSaccoLoan(models.Model):
    """Self-service applications (USSD) approved without an officer, when the product allows it."""
    _inherit = 'ddcpts.sacco.loan'

    def _sacco_ussd_auto_approve(self):
        """Approve this submitted application if its product approves self-service applications and the
        member is eligible (limit, bounds, cover, existing loans); return whether it was approved."""
        self.ensure_one()
        if not self.product_id.auto_approval or self.state != 'submitted' or self._loan_eligibility():
            return False
        self.write({'state': 'approved', 'approved_on': fields.Date.context_today(self),
                    'eligibility_notes': _("Eligible.")})
        self.message_post(body=_("Approved automatically: a self-service application within the member's limit "
                                 "and cover, for a product that approves them without an officer."))
        self._loan_sms('ddcpts_sacco_loan.sms_template_loan_approved')
        self.activity_unlink(['mail.mail_activity_data_todo'])
        self.activity_schedule('mail.mail_activity_data_todo', user_id=self.user_id.id,
                               summary=_("Disburse loan %s", self.name))
        return True
