from odoo import fields, models, tools


class DdcptsSmsReport(models.Model):
    """Sent, delivered and failed SMS and their cost, per gateway and per day (from ``ddcpts.sms.message``).

    A gateway bills in one currency; refused messages cost nothing and have none. Should a gateway bill
    in several currencies on one day, the cost of that day is left empty rather than summed wrongly.
    """
    _name = 'ddcpts.sms.report'
    _description = "SMS statistics per gateway and day"
    _auto = False
    _order = 'date desc, gateway_id'
    _rec_name = 'date'

    date = fields.Date(readonly=True)
    gateway_id = fields.Many2one('ddcpts.sms.gateway', readonly=True)
    company_id = fields.Many2one('res.company', readonly=True)
    currency_id = fields.Many2one('res.currency', readonly=True)
    sent_count = fields.Integer("Sent", readonly=True, help="Accepted by the gateway.")
    delivered_count = fields.Integer("Delivered", readonly=True)
    failed_count = fields.Integer("Failed", readonly=True, help="Refused by the gateway or not delivered.")
    pending_count = fields.Integer("Awaiting Delivery", readonly=True)
    segments = fields.Integer("Parts", readonly=True)
    cost = fields.Monetary(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT row_number() OVER (ORDER BY day, gateway_id, company_id) AS id,
                       day AS date, gateway_id, company_id,
                       CASE WHEN currency_count = 1 THEN currency_id END AS currency_id,
                       sent_count, delivered_count, failed_count, pending_count, segments,
                       CASE WHEN currency_count <= 1 THEN cost END AS cost
                  FROM (
                    SELECT message.sent_at::date AS day, message.gateway_id, message.company_id,
                           COUNT(DISTINCT message.currency_id) AS currency_count,
                           MAX(message.currency_id) AS currency_id,
                           COUNT(*) FILTER (WHERE message.provider_message_id IS NOT NULL
                                               OR message.state != 'failed') AS sent_count,
                           COUNT(*) FILTER (WHERE message.state = 'delivered') AS delivered_count,
                           COUNT(*) FILTER (WHERE message.state = 'failed') AS failed_count,
                           COUNT(*) FILTER (WHERE message.state IN ('sent', 'buffered')) AS pending_count,
                           SUM(message.segments) AS segments,
                           SUM(message.cost) AS cost
                      FROM ddcpts_sms_message message
                  GROUP BY 1, 2, 3
                  ) AS daily
            )
        """)
