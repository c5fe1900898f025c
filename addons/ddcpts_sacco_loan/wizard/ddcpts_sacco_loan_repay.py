from odoo import _, api, fields, models
from odoo.exceptions import UserError


class DdcptsSaccoLoanRepay(models.TransientModel):
    """A teller receives a repayment over the counter (cash) or sees it on the bank statement: the
    money is allocated and booked like any other repayment (``ddcpts.sacco.loan._loan_repay``)."""
    _name = 'ddcpts.sacco.loan.repay'
    _description = "Receive a Loan Repayment"
    _check_company_auto = True

    loan_id = fields.Many2one('ddcpts.sacco.loan', required=True, readonly=True, check_company=True)
    company_id = fields.Many2one(related='loan_id.company_id')
    currency_id = fields.Many2one(related='loan_id.currency_id')
    total_outstanding = fields.Monetary(related='loan_id.total_outstanding')
    amount = fields.Monetary(required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    journal_id = fields.Many2one('account.journal', "Received In", required=True, check_company=True,
                                 domain="[('type', 'in', ('bank', 'cash'))]")
    reference = fields.Char(help="Teller slip or bank statement reference.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        loan = self.env['ddcpts.sacco.loan'].browse(values.get('loan_id'))
        if loan and 'amount' in fields_list:
            values.setdefault('amount', loan.currency_id.round(
                sum(loan.line_ids.filtered(lambda line: line.state != 'paid')[:1].mapped('outstanding'))))
        return values

    def action_receive(self):
        self.ensure_one()
        loan = self.loan_id
        if loan.state == 'closed' and not loan.product_id.overpayment_product_id:
            raise UserError(_("%s is repaid already and its product credits overpayments to no savings account: "
                              "give the money back or deposit it to the member's savings.", loan.name))
        journal = self.journal_id.sudo()  # tellers receive money without accounting rights
        if not journal.default_account_id:
            raise UserError(_("The journal %s has no default account to receive money in.", journal.name))
        loan._loan_repay(self.amount, self.date, journal.type, journal.default_account_id, reference=self.reference)
        loan.message_post(body=_("Repayment of %(amount)s received in %(journal)s (%(reference)s).",
                                 amount=loan.currency_id.format(self.amount), journal=journal.name,
                                 reference=self.reference or _("no reference")))
        return True
