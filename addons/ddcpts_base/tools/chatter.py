"""Chatter posts made as the calling user, who may have no e-mail address."""
from email.utils import formataddr


def sender(env):
    """``author_id`` and ``email_from`` for ``message_post`` / ``message_notify`` made as ``env.user``.

    Users created for integrations (JSON-RPC with an API key, docs/api.md) often have no e-mail
    address, and Odoo refuses to post as an author without one. Their posts keep them as author and
    are sent from the company's address (or the catchall sender), as Odoo does for system messages.
    Empty when the user has an address (Odoo's own rule applies) or in superuser mode (never refused).
    """
    partner = env.user.partner_id
    if partner.email or env.su:
        return {}
    address = env.company.email or env['ir.mail_server'].sudo()._get_default_from_address() or ''
    return {'author_id': partner.id, 'email_from': formataddr((partner.name or env.company.name, address))}
