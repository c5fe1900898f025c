"""pytest policy for the whole repository (used by `make test`).

- a skipped test is a failure of the setup, so the run fails when anything was skipped;
- Odoo test cases run with ``odoo.modules.module.current_test`` set, as under Odoo's own runner
  (no real SMTP connection, test-cursor checks on HTTP requests).
"""
import pytest


@pytest.fixture(autouse=True)
def odoo_current_test(request):
    instance = getattr(request, "instance", None)
    try:
        from odoo.modules import module
        from odoo.tests.common import BaseCase
    except ImportError:  # the simulator's own tests run without Odoo
        yield
        return
    if not isinstance(instance, BaseCase):
        yield
        return
    module.current_test = instance
    yield
    module.current_test = False


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if terminalreporter.stats.get("skipped"):
        terminalreporter.write_line("FAILED: skipped tests are not allowed (install what they need)", red=True)
