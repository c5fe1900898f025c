"""Client actions returned by buttons."""


def notification(message, title=None, kind='success', sticky=False, reload=False, close=False):
    """A toast; ``reload`` refreshes the current view afterwards (state changed on the record); ``close``
    then closes the button's dialog, or reloads the form's record in place (its open tab stays open)."""
    params = {'type': kind, 'message': message, 'sticky': sticky}
    if title:
        params['title'] = title
    if reload:
        params['next'] = {'type': 'ir.actions.client', 'tag': 'soft_reload'}
    if close:
        params['next'] = {'type': 'ir.actions.act_window_close'}
    return {'type': 'ir.actions.client', 'tag': 'display_notification', 'params': params}
