import json

from odoo.addons.ddcpts_base.tests.common import sandbox_url
from odoo.addons.test_ddcpts_base.models.test_ddcpts_provider import CALLBACK_PREFIX


def create_provider(env, **values):
    return env['test.ddcpts.provider'].create({
        'name': "Test provider", 'base_url': sandbox_url(), 'api_key': 'test-api-key', **values,
    })


class CallbackClientMixin:
    """Posts to the fake provider's callback routes over real HTTP (``url_open`` or ``requests``)."""

    def callback_path(self, provider, event='event', token=None):
        url = provider._ddcpts_callback_url(CALLBACK_PREFIX, event)
        path = url.split(CALLBACK_PREFIX, 1)[1]
        if token is not None:
            record_id, _token, name = path.strip('/').split('/')
            path = f'/{record_id}/{token}/{name}'
        return CALLBACK_PREFIX + path

    def post_json(self, path, payload):
        """POST ``payload`` (a dict, or a str sent as is, even empty) through the test's HTTP session."""
        body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
        return self.opener.post(f'{self.base_url()}{path}', data=body, timeout=30,
                                headers={'Content-Type': 'application/json'})
