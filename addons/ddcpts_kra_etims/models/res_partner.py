from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_base.tools.identity import clean_kra_pin
from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.exceptions import EtimsRejected


class ResPartner(models.Model):
    _inherit = 'res.partner'

    etims_registered_device_ids = fields.Many2many(
        'ddcpts.etims.device', 'ddcpts_etims_device_partner_rel', 'partner_id', 'device_id',
        "Registered with eTIMS Branches", copy=False, readonly=True,
        help="Branches this customer was registered with (saveBhfCustomer).")

    @api.model
    def _etims_supplier(self, tin, name, company):
        """The supplier with this KRA PIN, created when unknown (from an invoice fetched from eTIMS).

        A PIN our validation refuses (KRA's registry holds a few) goes to the internal reference
        instead: one odd supplier must not stop every later fetch.
        """
        try:
            clean_kra_pin(tin)
            pin_field = 'kra_pin'
        except ValidationError:
            pin_field = 'ref'
        partner = self.search([(pin_field, '=', tin), ('company_id', 'in', (False, company.id))], limit=1)
        if partner:
            return partner.commercial_partner_id
        return self.create({
            'name': name or tin,
            pin_field: tin,
            'is_company': tin.startswith('P'),
            'country_id': self.env.ref('base.ke').id,
            'supplier_rank': 1,
        })

    def _etims_ensure_registered(self, device):
        """``saveBhfCustomer``: register the customer with the branch before its first invoice there."""
        self.ensure_one()
        if device in self.sudo().etims_registered_device_ids:
            return False
        try:
            device._etims_call('saveBhfCustomer', self.env['ddcpts.etims.payload']._etims_customer_vals(self),
                               related=self)
        except EtimsRejected as error:
            if error.code != const.DUPLICATE:  # 994: the branch has the customer already
                raise
        self.sudo().etims_registered_device_ids = [fields.Command.link(device.id)]
        return True

    def action_etims_check_pin(self):
        """Button: ask eTIMS who the KRA PIN belongs to (selectCustomer)."""
        self.ensure_one()
        if not self.kra_pin:
            raise UserError(_("Enter the KRA PIN of %s first.", self.display_name))
        device = self.env['ddcpts.etims.device']._etims_device_for(self.env.company)
        if not device:
            raise UserError(_("Set up an eTIMS device for %s first.", self.env.company.name))
        envelope = device._etims_call('selectCustomer', {'custmTin': self.kra_pin}, related=self)
        taxpayers = envelope['data'].get('custList') or []
        if envelope['resultCd'] == const.NO_NEW_DATA or not taxpayers:
            return notification(_("KRA does not know the PIN %s.", self.kra_pin), kind='warning', sticky=True)
        taxpayer = taxpayers[0]
        return notification(_("KRA PIN %(pin)s belongs to %(name)s (status %(status)s).", pin=self.kra_pin,
                              name=taxpayer.get('taxprNm'), status=taxpayer.get('taxprSttsCd') or '-'))
