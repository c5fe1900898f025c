import re

from odoo import _, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_sacco_loan import const


class DdcptsSaccoCheckoffLine(models.Model):
    """Check-off rows repay loans: a row naming a loan number (``LN0007``) repays that loan; a row naming
    no product first pays what the member's active loans have due by the check-off date, oldest loan
    first, then the member's monthly obligations."""
    _inherit = 'ddcpts.sacco.checkoff.line'

    def _loan_named_rows(self):
        return self.filtered(lambda line: line.product_code and re.match(const.PAYBILL_PATTERN, line.product_code))

    def _sacco_product_problems(self, members, codes):
        loan_rows = self._loan_named_rows()
        problems = super(DdcptsSaccoCheckoffLine, self - loan_rows)._sacco_product_problems(members, codes)
        loans = self._loan_named_loans()
        for line in loan_rows:
            loan = loans.get((line.company_id, line.product_code))
            if not loan or loan.member_id != members[line]:
                problems[line] = _("%s is no loan of this member", line.product_code)
            elif loan.state not in ('active', 'closed', 'written_off'):
                problems[line] = _("%(loan)s is %(state)s: it cannot be repaid", loan=loan.name,
                                   state=dict(const.LOAN_STATES)[loan.state].lower())
            elif loan.state != 'active' and not loan.product_id.overpayment_product_id:
                problems[line] = _("%s is repaid and its product credits overpayments to no savings account: "
                                   "the row stays unbooked, to refund to the employer",
                                   loan.name)
        return problems

    def _loan_named_loans(self):
        """The loans the rows name, by (company, loan number), in one query."""
        loan_rows = self._loan_named_rows()
        if not loan_rows:
            return {}
        loans = self.env['ddcpts.sacco.loan'].sudo().search([
            ('name', 'in', loan_rows.mapped('product_code')), ('company_id', 'in', loan_rows.company_id.ids)])
        return {(loan.company_id, loan.name): loan for loan in loans}

    def _loan_checkoff_repayments(self):
        """``(row, loan, amount)`` the rows repay: all of a row naming a loan; of a row naming no product,
        what the member's active loans still have due by the check-off date (installments, penalties,
        fees) once the rows naming them are counted, oldest loan first. Refuses a row naming a loan that
        is not its member's."""
        named, loans = self._loan_named_rows(), self._loan_named_loans()
        unnamed = self.filtered(lambda line: not line.product_code)
        active = self.env['ddcpts.sacco.loan'].sudo().search(
            [('member_id', 'in', unnamed.member_id.ids), ('state', '=', 'active')], order='disbursed_on, id')
        due_left = {}

        def due(loan, line):
            if loan not in due_left:
                due_left[loan] = line.currency_id.round(sum(loan.line_ids.filtered(
                    lambda inst: inst.due_date <= line.checkoff_id.date).mapped('outstanding')))
            return due_left[loan]

        repayments = []
        for line in named:
            loan = loans.get((line.company_id, line.product_code))
            if not loan or loan.member_id != line.member_id:
                raise UserError(_("Row %(row)s names %(loan)s, which is no loan of %(member)s: choose the member "
                                  "the loan belongs to.", row=line.sequence, loan=line.product_code,
                                  member=line.member_id.display_name))
            due_left[loan] = due(loan, line) - line.amount
            repayments.append((line, loan, line.amount))
        for line in unnamed:
            remaining = line.amount
            for loan in active.filtered(lambda loan, member=line.member_id: loan.member_id == member):
                part = line.currency_id.round(min(remaining, due(loan, line)))
                if line.currency_id.compare_amounts(part, 0) > 0:
                    repayments.append((line, loan, part))
                    due_left[loan] -= part
                    remaining = line.currency_id.round(remaining - part)
        return repayments
