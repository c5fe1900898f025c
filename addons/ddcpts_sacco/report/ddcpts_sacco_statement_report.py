from odoo import api, models


class DdcptsSaccoStatementReport(models.AbstractModel):
    """PDF statement of member accounts over a period (``data``: account_ids, date_from, date_to)."""
    _name = 'report.ddcpts_sacco.report_statement'
    _description = "SACCO Account Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        accounts = self.env['ddcpts.sacco.account'].browse(docids or data.get('account_ids'))
        return {
            'doc_ids': accounts.ids,
            'doc_model': 'ddcpts.sacco.account',
            'docs': accounts,
            'statements': {account: account._sacco_statement(data.get('date_from'), data.get('date_to'))
                           for account in accounts},
        }
