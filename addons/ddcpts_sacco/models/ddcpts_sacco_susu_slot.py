from odoo import fields, models


class DdcptsSaccoSusuSlot(models.Model):
    """A member's place in the rotation of a susu group, and the payout of their pot."""
    _name = 'ddcpts.sacco.susu.slot'
    _description = "Susu Rotation Slot"
    _order = 'group_id, sequence, id'

    group_id = fields.Many2one('ddcpts.sacco.susu.group', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='group_id.company_id', store=True)
    sequence = fields.Integer("Order", default=10)
    member_id = fields.Many2one('ddcpts.sacco.member', required=True, ondelete='restrict')
    payout_id = fields.Many2one('ddcpts.payout', "Pot Payout", readonly=True, copy=False)
    payout_state = fields.Selection(related='payout_id.state', string="Payout Status")
