"""Client actions returned by buttons."""


def notification(message, title=None, kind='success', sticky=False, reload=False):
    """A toast; ``reload`` refreshes the current view afterwards (state changed on the record)."""
    params = {'type': kind, 'message': message, 'sticky': sticky}
    if title:
        params['title'] = title
    if reload:
        params['next'] = {'type': 'ir.actions.client', 'tag': 'soft_reload'}
    return {'type': 'ir.actions.client', 'tag': 'display_notification', 'params': params}
