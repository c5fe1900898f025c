from odoo import api, models


class DdcptsEtimsReferenceMixin(models.AbstractModel):
    """Reference data KRA publishes as lists (codes, item classifications, notices, branches)."""
    _name = 'ddcpts.etims.reference.mixin'
    _description = "eTIMS reference data"

    @api.model
    def _etims_upsert(self, key_fields, vals_list):
        """Update the records matching each values' ``key_fields`` (archived ones too), create the others.

        KRA sends new and changed entries again, never deletions (``useYn = N`` archives); an entry
        repeated in one list is applied once, the last one winning.
        """
        by_key = {tuple(values[name] for name in key_fields): values for values in vals_list}
        first_key = key_fields[0]
        existing = self.with_context(active_test=False).search(
            [(first_key, 'in', list({values[first_key] for values in by_key.values()}))])
        records = {tuple(record[name] for name in key_fields): record for record in existing}
        to_create = []
        for key, values in by_key.items():
            if key in records:
                records[key].write(values)
            else:
                to_create.append(values)
        return self.create(to_create)
