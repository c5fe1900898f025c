from odoo import _, fields, models
from odoo.exceptions import AccessError

from odoo.addons.ddcpts_base.tools import crypto

SECRET_MASK = '••••••••'


def SecretField(string, **kwargs):
    """A credential of a provider record, stored Fernet-encrypted in ``ddcpts.secret``.

    Reading the field returns a mask when a value is set (views never receive the clear text);
    writing a new value encrypts it, writing the mask back changes nothing and writing an empty
    value erases the secret. Code reads the clear value with ``record._ddcpts_secret(name)``.
    Only system administrators see or write the field; nobody can search on it (no guessing).
    """
    return fields.Char(
        string, compute='_compute_ddcpts_secrets', inverse='_inverse_ddcpts_secrets', search='_search_ddcpts_secret',
        groups='base.group_system', copy=False, ddcpts_secret=True, **kwargs,
    )


class DdcptsSecretMixin(models.AbstractModel):
    _name = 'ddcpts.secret.mixin'
    _description = "Record with encrypted secret fields"

    def _valid_field_parameter(self, field, name):
        return name == 'ddcpts_secret' or super()._valid_field_parameter(field, name)

    def _ddcpts_secret_field_names(self):
        return [name for name, field in self._fields.items() if getattr(field, 'ddcpts_secret', False)]

    def _ddcpts_secret_records(self, field_names=None):
        # search_fetch: the ciphertext comes with the search (a callback's token check is one query)
        return self.env['ddcpts.secret'].sudo().search_fetch([
            ('res_model', '=', self._name),
            ('res_id', 'in', self.ids),
            ('field_name', 'in', field_names or self._ddcpts_secret_field_names()),
        ], ['res_id', 'field_name', 'ciphertext'])

    def _compute_ddcpts_secrets(self):
        names = self._ddcpts_secret_field_names()
        stored = {(secret.res_id, secret.field_name) for secret in self._ddcpts_secret_records(names)}
        for record in self:
            for name in names:
                record[name] = SECRET_MASK if (record.id, name) in stored else False

    def _search_ddcpts_secret(self, operator, value):
        raise AccessError(_("Secret fields cannot be used to search."))

    def _inverse_ddcpts_secrets(self):
        for record in self:
            for name in record._ddcpts_secret_field_names():
                # the secret fields share this inverse: only those being written hold a value in cache
                # (the others read as empty while protected, which must not erase their secret)
                if not record.env.cache.contains(record, record._fields[name]):
                    continue
                value = record[name]
                if value != SECRET_MASK:
                    record._ddcpts_set_secret(name, value)

    def _ddcpts_set_secret(self, field_name, clear_value):
        """Encrypt and store ``clear_value`` (an empty value erases the secret)."""
        self.ensure_one()
        self.env.registry.clear_cache()  # values derived from secrets (callback token digests)
        existing = self._ddcpts_secret_records([field_name])
        if not clear_value:
            existing.unlink()
        elif existing:
            existing.ciphertext = crypto.encrypt(clear_value)
        else:
            existing.create({
                'res_model': self._name, 'res_id': self.id, 'field_name': field_name,
                'ciphertext': crypto.encrypt(clear_value),
            })

    def _ddcpts_secret(self, field_name):
        """Return the clear value of a secret field (False when unset). For code only."""
        self.ensure_one()
        secret = self._ddcpts_secret_records([field_name])
        return crypto.decrypt(secret.ciphertext) if secret else False

    def unlink(self):
        self.env.registry.clear_cache()  # values derived from secrets (callback token digests)
        secrets = self._ddcpts_secret_records()
        result = super().unlink()
        secrets.unlink()
        return result
