from odoo import fields, models


class DdcptsRelatedMixin(models.AbstractModel):
    """Log rows pointing at the business document they are about.

    A plain model/id pair rather than a foreign key: log rows are written in their own transaction,
    which may not see a document created in the still-open business transaction.
    """
    _name = 'ddcpts.related.mixin'
    _description = "Log row linked to a business document"

    related_model = fields.Char("Related Document Model", readonly=True)
    related_id = fields.Many2oneReference("Related Document", model_field='related_model', readonly=True,
                                         aggregator=None)

    def action_open_related(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'res_model': self.related_model,
            'res_id': self.related_id,
            'view_mode': 'form',
        }
