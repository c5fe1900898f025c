from odoo import _, api, fields, models
from odoo.exceptions import UserError


class DdcptsSaccoStatement(models.TransientModel):
    """Choose the period of the statements to print."""
    _name = 'ddcpts.sacco.statement'
    _description = "Print SACCO Statements"

    account_ids = fields.Many2many('ddcpts.sacco.account', string="Accounts", required=True)
    date_from = fields.Date("From", required=True,
                            default=lambda self: fields.Date.context_today(self).replace(month=1, day=1))
    date_to = fields.Date("To", required=True, default=fields.Date.context_today)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if 'account_ids' in fields_list and context.get('active_model') == 'ddcpts.sacco.account':
            values['account_ids'] = [fields.Command.set(context.get('active_ids', []))]
        elif 'account_ids' in fields_list and context.get('active_model') == 'ddcpts.sacco.member':
            members = self.env['ddcpts.sacco.member'].browse(context.get('active_ids', []))
            values['account_ids'] = [fields.Command.set(members.account_ids.ids)]
        return values

    def action_print(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(_("The statement period starts after it ends."))
        # the web client drops the record ids from a report URL when the action carries data
        return self.env.ref('ddcpts_sacco.action_report_statement').report_action(self.account_ids, data={
            'account_ids': self.account_ids.ids,
            'date_from': fields.Date.to_string(self.date_from), 'date_to': fields.Date.to_string(self.date_to)})
