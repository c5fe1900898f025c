from odoo import models

from odoo.addons.ddcpts_base.tools import chatter


class DdcptsChatterMixin(models.AbstractModel):
    """Business documents whose chatter is written as the user acting on them: an officer or an
    integration user without an e-mail address must still be able to post (tools/chatter.py)."""
    _name = 'ddcpts.chatter.mixin'
    _description = "Chatter Posts by Users Without E-mail"

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        if author_id is None and email_from is None:
            values = chatter.sender(self.env)
            author_id, email_from = values.get('author_id'), values.get('email_from')
        return super()._message_compute_author(author_id, email_from, raise_on_email=raise_on_email)
