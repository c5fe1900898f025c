import hashlib
import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.exceptions import EtimsRejected, EtimsUnavailable
from odoo.addons.ddcpts_kra_etims.models.ddcpts_etims_payload import USER_FIELDS
from odoo.addons.ddcpts_kra_etims.models.product_template import ITEM_FIELDS

_logger = logging.getLogger(__name__)


class ProductProduct(models.Model):
    _inherit = 'product.product'

    etims_item_code = fields.Char(
        "KRA Item Code", company_dependent=True, copy=False,
        help="itemCd: origin country + item type + packaging unit + quantity unit + 7-digit sequence, e.g. "
             "KE2NTBA0000012. Given when the product is first sent to eTIMS.")
    etims_registered_hash = fields.Char(company_dependent=True, copy=False,
                                        help="Fingerprint of the item data KRA has; another one means saveItem again.")

    def write(self, vals):
        result = super().write(vals)
        if ITEM_FIELDS & vals.keys():
            self._etims_item_changed()
        return result

    def _etims_item_changed(self):
        """Items KRA knows were changed: the item cron registers them again (saveItem)."""
        if any(product.etims_item_code for product in self.sudo()):
            self.env.ref('ddcpts_kra_etims.ir_cron_etims_sync_items')._trigger()

    def _etims_quantity_unit(self, uom=None):
        self.ensure_one()
        return (uom or self.uom_id).etims_quantity_unit_id or self.uom_id.etims_quantity_unit_id

    def _etims_default_tax_type(self, company):
        taxes = self.taxes_id.filtered(lambda tax: tax.company_id == company).flatten_taxes_hierarchy()
        return taxes.filtered('etims_tax_type')[:1].etims_tax_type

    def _etims_master_data_problems(self):
        """Sentences naming each product that lacks what KRA needs to register it."""
        problems = []
        for product in self:
            missing = []
            if not product.etims_item_class_id:
                missing.append(_("a KRA item classification"))
            if not product.etims_item_type:
                missing.append(_("a KRA item type"))
            if not product.etims_packaging_unit_id:
                missing.append(_("a KRA packaging unit"))
            if not product.etims_origin_country_id:
                missing.append(_("an origin country"))
            if missing:
                problems.append(_("Product %(product)s needs %(missing)s.", product=product.display_name,
                                  missing=', '.join(missing)))
            if not product._etims_quantity_unit():
                problems.append(_("Unit of measure %(uom)s (product %(product)s) has no KRA quantity unit.",
                                  uom=product.uom_id.name, product=product.display_name))
        return problems

    def _etims_give_item_code(self, company):
        """KRA's item code: origin country + item type + packaging unit + quantity unit + 7-digit sequence."""
        self.ensure_one()
        product = self.with_company(company)
        if not product.etims_item_code:
            sequence = self.env['ir.sequence'].sudo().next_by_code('ddcpts.etims.item')
            product.sudo().etims_item_code = (
                f'{product.etims_origin_country_id.code}{product.etims_item_type}'
                f'{product.etims_packaging_unit_id.code}{product._etims_quantity_unit().code}{sequence}'
            )

    def _etims_ensure_known(self, device, tax_type):
        """Before a document names this item: ``saveItem`` when KRA never got it. Later changes are
        registered by the item cron (triggered by the change), not by each document: this keeps the
        per-document work of the sending queue small."""
        self.ensure_one()
        if self.with_company(device.company_id).etims_registered_hash:
            return False
        return self._etims_ensure_registered(device, tax_type)

    def _etims_ensure_registered(self, device, tax_type=None):
        """``saveItem`` when KRA does not have this item as it is now (first use, or changed since).

        :raise UserError: naming the product when KRA refuses it (EtimsUnavailable passes through)
        """
        self.ensure_one()
        product = self.with_company(device.company_id)
        product._etims_give_item_code(device.company_id)
        payload = self.env['ddcpts.etims.payload']._etims_item_vals(product, device.company_id, tax_type)
        fingerprint = hashlib.sha256(json.dumps(
            {key: value for key, value in payload.items() if key not in USER_FIELDS}, sort_keys=True,
        ).encode()).hexdigest()
        if product.etims_registered_hash == fingerprint:
            return False
        try:
            device._etims_call('saveItem', payload, related=product)
        except EtimsRejected as error:
            if error.code == const.DUPLICATE:  # KRA has the item (an earlier attempt whose answer was lost)
                product.sudo().etims_registered_hash = fingerprint
                return True
            raise UserError(_("KRA refused the item %(product)s: %(error)s", product=product.display_name,
                              error=error)) from error
        product.sudo().etims_registered_hash = fingerprint
        return True

    @api.model
    def _cron_sync_items(self):
        """Register again the items KRA knows that changed since (saveItem)."""
        for device in self.env['ddcpts.etims.device'].search([('state', '=', 'ready')]):
            products = self.with_company(device.company_id).search([('etims_item_code', '!=', False)])
            for product in products:
                if not product._etims_default_tax_type(device.company_id) or product._etims_master_data_problems():
                    continue
                try:
                    with self.env.cr.savepoint():
                        product._etims_ensure_registered(device)
                except EtimsUnavailable as error:
                    _logger.warning("eTIMS items of %s not synced: %s", device.display_name, error)
                    break
                except UserError as error:
                    _logger.warning("eTIMS item %s not synced: %s", product.display_name, error)
