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

    def _sacco_post_batch(self):
        """One entry for these lines: the expense, the withholding tax, and a credit per member."""
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
        label = run.name
        move_lines = [Command.create({
            'account_id': product.account_id.id, 'partner_id': line.member_id.partner_id.id,
            'name': f"{label} {accounts[line.member_id].name}", 'balance': -line.net,
        }) for line in self]
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
