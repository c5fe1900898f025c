from odoo import fields, models, tools


class DdcptsCollectionReport(models.Model):
    """Online payments per provider over time (graph and pivot views): amounts collected and the
    share of finished payments that succeeded (``success_rate``, averaged: cancelled and failed
    payments count as 0, pending ones not at all)."""
    _name = 'ddcpts.collection.report'
    _description = "Collections by provider"
    _auto = False
    _order = 'date desc'

    date = fields.Datetime(readonly=True)
    provider_id = fields.Many2one('payment.provider', "Provider", readonly=True)
    provider_code = fields.Char("Integration", readonly=True)
    company_id = fields.Many2one('res.company', readonly=True)
    partner_id = fields.Many2one('res.partner', "Customer", readonly=True)
    currency_id = fields.Many2one('res.currency', readonly=True)
    state = fields.Selection([
        ('draft', "Draft"), ('pending', "Pending"), ('authorized', "Authorized"), ('done', "Confirmed"),
        ('cancel', "Cancelled"), ('error', "Error"),
    ], readonly=True)
    amount_collected = fields.Monetary("Collected", readonly=True)
    payment_count = fields.Integer("Payments", readonly=True)
    success_rate = fields.Float("Success Rate (%)", aggregator='avg', readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT tx.id,
                       COALESCE(tx.last_state_change, tx.create_date) AS date,
                       tx.provider_id,
                       provider.code AS provider_code,
                       tx.company_id,
                       tx.partner_id,
                       tx.currency_id,
                       tx.state,
                       CASE WHEN tx.state = 'done' THEN tx.amount ELSE 0 END AS amount_collected,
                       1 AS payment_count,
                       CASE WHEN tx.state = 'done' THEN 100.0
                            WHEN tx.state IN ('cancel', 'error') THEN 0.0 END AS success_rate
                  FROM payment_transaction tx
                  JOIN payment_provider provider ON provider.id = tx.provider_id
                 WHERE tx.operation IS DISTINCT FROM 'refund'
                   AND tx.state != 'draft'
            )
        """)
