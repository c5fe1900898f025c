"""The prefork server of an install made by `make setup` runs clean: HTTP workers and the gevent
(websocket) worker start, live updates connect, and no worker dies in a loop (e.g. gevent's plugin
loader failing with ``DistributionNotFound: zope.interface``)."""
import os
import signal
import socket
import subprocess
import tempfile
import time

import requests
import websocket

from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.ddcpts_base.tests.common import odoo_command

READY_TIMEOUT = 120  # seconds: a loaded machine loads the registry slowly in each worker


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@tagged('post_install', '-at_install')
class TestPreforkServer(TransactionCase):

    def test_workers_and_websocket_run_clean(self):
        dbname = self.env.cr.dbname
        http_port, gevent_port = free_port(), free_port()
        log_dir = tempfile.TemporaryDirectory(prefix='ddcpts-prefork-')
        self.addCleanup(log_dir.cleanup)
        log_file = os.path.join(log_dir.name, 'odoo.log')
        command = odoo_command(
            '--workers=2', '--max-cron-threads=0', f'--http-port={http_port}', f'--gevent-port={gevent_port}',
            '--http-interface=127.0.0.1', '-d', dbname, f'--db-filter=^{dbname}$', '--no-database-list',
            f'--logfile={log_file}', '--log-level=info',
        )
        server = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.STDOUT)
        self.addCleanup(self._stop, server)

        self._wait_until(lambda: requests.get(f'http://127.0.0.1:{http_port}/web/health', timeout=5).ok,
                         server, log_file, "an HTTP worker")
        connection = self._wait_until(lambda: websocket.create_connection(
            f'ws://127.0.0.1:{gevent_port}/websocket', timeout=10, origin=f'http://127.0.0.1:{gevent_port}'),
            server, log_file, "the websocket (gevent) worker")
        try:
            self.assertTrue(connection.connected)
        finally:
            connection.close()
        # a request through an HTTP worker after the websocket: both kinds of worker are alive
        self.assertEqual(requests.get(f'http://127.0.0.1:{http_port}/web/health', timeout=30).status_code, 200)
        self.assertIsNone(server.poll(), "the server is still running")
        with open(log_file, encoding='utf-8', errors='replace') as log:
            text = log.read()
        self.assertNotIn('DistributionNotFound', text)
        self.assertNotIn('Traceback', text, text[-3000:])

    def _wait_until(self, attempt, server, log_file, what):
        """Poll ``attempt`` until it succeeds (the server is ready), failing with the log if the
        server exits or does not get ready."""
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                result = attempt()
                if result:
                    return result
            except (OSError, requests.RequestException, websocket.WebSocketException):
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                with open(log_file, encoding='utf-8', errors='replace') as log:
                    self.fail(f"{what} did not answer; server log:\n{log.read()[-3000:]}")
            time.sleep(0.2)

    def _stop(self, server):
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
