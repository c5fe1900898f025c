from odoo import Command, _, fields, models


class DdcptsSaccoInterestLine(models.Model):
    """One member's interest or dividend of a year-end run: basis, gross, withholding tax, net."""
    _name = 'ddcpts.sacco.interest.line'
    _description = "SACCO Year-end Interest Line"
    _order = 'run_id, id'

    run_id = fields.Many2one('ddcpts.sacco.interest.run', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='run_id.company_id', store=True)
    currency_id = fields.Many2one(related='run_id.currency_id')
    member_id = fields.Many2one('ddcpts.sacco.member', required=True, index=True)
    basis = fields.Monetary(help="Average balance (daily or month-end) of the period.")
    gross = fields.Monetary()
    tax = fields.Monetary("Withholding Tax")
    net = fields.Monetary()
    move_id = fields.Many2one('account.move', "Entry", readonly=True, index='btree_not_null')
    payout = fields.Boolean("Paid Out", readonly=True,
                            help="The net amount is paid to the member's phone instead of credited to an account.")
    payout_id = fields.Many2one('ddcpts.payout', readonly=True, index='btree_not_null', copy=False)

    def _sacco_post_batch(self):
        """One entry for these lines: the expense, the withholding tax, and a credit per member.

        A member paid out is credited on their receivable (what the SACCO owes them) and a payout of the net
        amount is submitted for approval; the outbound payment settles that receivable when it is done.
        """
        run = self.run_id
        paid_out = self.filtered('payout')
        credited = self - paid_out
        move_lines = credited._sacco_credit_move_lines() + [Command.create({
            'account_id': line.member_id.partner_id.with_company(run.company_id).property_account_receivable_id.id,
            'partner_id': line.member_id.partner_id.id, 'name': f"{run.name} {line.member_id.number}",
            'balance': -line.net,
        }) for line in paid_out]
        label = run.name
        move_lines.append(Command.create({'account_id': run.expense_account_id.id, 'name': label,
                                          'balance': sum(self.mapped('gross'))}))
        tax = sum(self.mapped('tax'))
        if not run.currency_id.is_zero(tax):
            move_lines.append(Command.create({'account_id': run.tax_account_id.id, 'balance': -tax,
                                              'name': _("%s withholding tax", label)}))
        move = self.env['account.move'].sudo().with_company(run.company_id).create({
            'move_type': 'entry', 'journal_id': run.company_id._sacco_journal().id, 'date': run.date_to,
            'ref': label, 'line_ids': move_lines,
        })
        move.action_post()
        self.move_id = move
        self.env['ddcpts.sacco.account'].invalidate_model(['balance'])
        paid_out._sacco_request_payouts()

    def _sacco_request_payouts(self):
        """A payout of each line's net amount to the member's phone, submitted for a second person's approval."""
        lines = self.filtered(lambda line: not line.currency_id.is_zero(line.net))
        if not lines:
            return
        run = lines.run_id
        payouts = self.env['ddcpts.payout'].create([{
            'partner_id': line.member_id.partner_id.id, 'recipient_phone': line.member_id.phone, 'amount': line.net,
            'journal_id': run.payout_journal_id.id, 'purpose': run.name, 'origin': f'{line._name},{line.id}',
            'company_id': run.company_id.id,
        } for line in lines])
        payouts.action_submit()
        for line, payout in zip(lines, payouts):
            line.payout_id = payout

    def _sacco_credit_move_lines(self):
        """Credits of the net amounts to the members' accounts of the run's credit product (opened if needed)."""
        if not self:
            return []
        run = self.run_id
        product = run.credit_product_id
        members = self.member_id
        accounts = {account.member_id: account for account in self.env['ddcpts.sacco.account'].search(
            [('member_id', 'in', members.ids), ('product_id', '=', product.id)])}
        missing = members.filtered(lambda member: member not in accounts)
        if missing:
            for account in self.env['ddcpts.sacco.account'].create(
                    [{'member_id': member.id, 'product_id': product.id} for member in missing]):
                accounts[account.member_id] = account
        return [Command.create({
            'account_id': product.account_id.id, 'partner_id': line.member_id.partner_id.id,
            'name': f"{run.name} {accounts[line.member_id].name}", 'balance': -line.net,
        }) for line in self]
