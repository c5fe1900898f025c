"""A plain external JSON-RPC client of Odoo, as another system would use it (no ORM, only HTTP).

    client = JsonRpcClient(base_url, db, 'erp-bot', api_key)
    client.execute('ddcpts.payout', 'action_submit', [payout_id])

Authentication uses an Odoo API key (Preferences > Account Security > New API Key) in place of the
password; see docs/api.md.
"""
import itertools

import requests


class JsonRpcError(Exception):
    """The server answered with a JSON-RPC error; ``data`` holds Odoo's error details."""

    def __init__(self, error):
        self.data = error.get('data', {})
        super().__init__(self.data.get('message') or error.get('message'))


class JsonRpcClient:
    _ids = itertools.count(1)

    def __init__(self, base_url, db, login, api_key, timeout=60):
        self.base_url = base_url.rstrip('/')
        self.db, self.login, self.api_key, self.timeout = db, login, api_key, timeout
        self.session = requests.Session()
        self.uid = None

    def call(self, service, method, *args):
        response = self.session.post(f'{self.base_url}/jsonrpc', timeout=self.timeout, json={
            'jsonrpc': '2.0', 'method': 'call', 'id': next(self._ids),
            'params': {'service': service, 'method': method, 'args': list(args)},
        })
        response.raise_for_status()
        answer = response.json()
        if 'error' in answer:
            raise JsonRpcError(answer['error'])
        return answer.get('result')  # Odoo leaves the key out when the method returned None

    def authenticate(self):
        self.uid = self.call('common', 'authenticate', self.db, self.login, self.api_key, {})
        if not self.uid:
            raise JsonRpcError({'message': f"Authentication of {self.login} refused"})
        return self.uid

    def execute(self, model, method, *args, **kwargs):
        if self.uid is None:
            self.authenticate()
        return self.call('object', 'execute_kw', self.db, self.uid, self.api_key, model, method, list(args), kwargs)
