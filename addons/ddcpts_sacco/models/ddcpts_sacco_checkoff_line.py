from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class DdcptsSaccoCheckoffLine(models.Model):
    """One row of a check-off file: who (staff number or national ID), how much, and for which product."""
    _name = 'ddcpts.sacco.checkoff.line'
    _description = "SACCO Check-off Row"
    _order = 'checkoff_id, sequence, id'

    checkoff_id = fields.Many2one('ddcpts.sacco.checkoff', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='checkoff_id.company_id', store=True)
    currency_id = fields.Many2one(related='checkoff_id.currency_id')
    sequence = fields.Integer("Row")
    staff_number = fields.Char()
    national_id = fields.Char("National ID")
    product_code = fields.Char("Product")
    amount = fields.Monetary(required=True)
    member_id = fields.Many2one(
        'ddcpts.sacco.member', check_company=True,
        domain="[('company_id', '=', company_id), ('state', 'in', ('applicant', 'active', 'dormant'))]")
    problem = fields.Char(readonly=True)
    move_id = fields.Many2one('account.move', "Entry", readonly=True)

    def _sacco_match(self):
        """Find the members of all rows with two queries (staff numbers of the employer, national IDs)."""
        Member = self.env['ddcpts.sacco.member']
        for checkoff in self.checkoff_id:
            lines = self.filtered(lambda line, batch=checkoff: line.checkoff_id == batch)
            open_states = ('applicant', 'active', 'dormant')
            by_staff = {member.staff_number: member for member in Member.search([
                ('company_id', '=', checkoff.company_id.id), ('employer_id', '=', checkoff.employer_id.id),
                ('staff_number', 'in', [code for code in lines.mapped('staff_number') if code]),
                ('state', 'in', open_states)])}
            by_national_id = {member.national_id: member for member in Member.search([
                ('company_id', '=', checkoff.company_id.id),
                ('national_id', 'in', [code for code in lines.mapped('national_id') if code]),
                ('state', 'in', open_states)])}
            codes = set(self.env['ddcpts.sacco.product'].search(
                [('company_id', '=', checkoff.company_id.id)]).mapped('code'))
            members = {line: by_staff.get(line.staff_number) or by_national_id.get(line.national_id) or Member
                       for line in lines}
            problems = lines.filtered('product_code')._sacco_product_problems(members, codes)
            for line in lines:
                member, problem = members[line], problems.get(line, False)
                if not member:
                    problem = _("Unknown staff number %s", line.staff_number) if line.staff_number \
                        else _("Unknown national ID %s", line.national_id)
                elif problem:
                    member = Member
                line.write({'member_id': member.id, 'problem': problem})

    def _sacco_product_problems(self, members, codes):
        """Why the product named in a row cannot take its money, by row (rows found nothing wrong with are
        left out); ``members`` are the members matched by row, ``codes`` the SACCO's product codes."""
        return {line: _("Unknown product %s", line.product_code) for line in self if line.product_code not in codes}

    @api.onchange('member_id')
    def _onchange_member_id(self):
        if self.member_id:
            self.problem = False

    def _sacco_allocations(self, taken=None):
        """(account, amount) credited by these rows: the product named in the row, else the member's monthly
        obligations in product order, the rest to the default product for payments. ``taken``: what other
        allocations (loan repayments) took of each row first."""
        credits = defaultdict(float)
        taken = taken or {}
        products = self.env['ddcpts.sacco.product'].search([('company_id', 'in', self.company_id.ids)])
        by_code = {(product.company_id, product.code): product for product in products}
        for line in self:
            company, currency = line.company_id, line.currency_id
            remaining = currency.round(line.amount - taken.get(line, 0.0))
            if currency.compare_amounts(remaining, 0) <= 0:
                continue
            if line.product_code:
                credits[line.member_id._sacco_account(by_code[company, line.product_code])] += remaining
                continue
            for product in products.filtered(lambda p, c=company: p.company_id == c and p.monthly_contribution):
                part = min(remaining, product.monthly_contribution)
                if currency.compare_amounts(part, 0) > 0:
                    credits[line.member_id._sacco_account(product)] += part
                    remaining = currency.round(remaining - part)
            if currency.compare_amounts(remaining, 0) > 0:
                if not company.sacco_default_product_id:
                    raise UserError(_("Choose the default product for payments in the SACCO settings: it receives "
                                      "what exceeds the monthly obligations."))
                credits[line.member_id._sacco_account(company.sacco_default_product_id)] += remaining
        return list(credits.items())
