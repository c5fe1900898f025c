"""A mass SMS of 10 000 recipients through an Africa's Talking gateway pointed at the simulator.

The SMS are queued as the composer's mass mode queues them (same text, one ``sms.sms`` per number),
then the queue is drained in this process exactly as the "SMS: SMS Queue Manager" cron does it
(``sms.sms._process_queue()``, a commit after each batch of ``sms.session.batch.size``). Figures:
HTTP requests to the gateway, time to drain the queue, SMS per second, peak memory of the process;
then the simulator's delivery reports, posted to the server's prefork workers while the queue drains:
time until every one is processed and SQL queries per report, next to its target (10).

``DDCPTS_BENCH_SMS`` (default 10000) recipients; ``DDCPTS_BENCH_SMS_REPORTS=0`` skips the reports.
"""
import multiprocessing
import os
import resource
import statistics
import time

import common as bench

RECIPIENTS = int(os.environ.get('DDCPTS_BENCH_SMS', 10000))
REPORTS = os.environ.get('DDCPTS_BENCH_SMS_REPORTS', '1') != '0'
REPORT_TIMEOUT = 900
QUERIES_PER_REPORT_TARGET = 10  # SQL queries of one delivery report, HTTP request included
BODY = "Dear member, the AGM is on Saturday 10am at the Nakuru hall. Reply STOP to opt out."


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare():
    """An active Africa's Talking gateway on the simulator (callbacks to the server) and the queued SMS.

    Runs in a child process, so that creating the SMS does not count in the drain's peak memory."""
    with bench.odoo_env() as env:
        env.company.country_id = env.ref('base.ke')
        env['ddcpts.sms.gateway'].search([]).action_archive()
        gateway = env['ddcpts.sms.gateway'].create({
            'name': "Bench Africa's Talking", 'type': 'africastalking', 'username': 'bench', 'api_key': 'bench-key',
            'api_url': bench.sandbox_url(), 'ddcpts_public_url': bench.server_url(),
        })
        gateway._ddcpts_get_callback_token()
        env['sms.sms'].create([
            {'number': f'+2547{index:08d}', 'body': BODY, 'state': 'outgoing'} for index in range(RECIPIENTS)
        ])


def drain(env):
    """Run the queue like its cron until no outgoing SMS is left; return (seconds, peak MB, SMS states)."""
    started = time.perf_counter()
    while env['sms.sms'].search_count([('state', '=', 'outgoing')]):
        env['sms.sms']._process_queue()
        env.cr.commit()
    elapsed = time.perf_counter() - started
    states = dict(env['sms.sms']._read_group([('body', '=', BODY)], ['state'], ['__count']))
    return elapsed, peak_rss_mb(), states


def delivered_count(env, gateway):
    env.cr.rollback()  # a new snapshot: see what the server's workers committed meanwhile
    env.invalidate_all()
    return env['ddcpts.sms.message'].search_count([('gateway_id', '=', gateway.id), ('state', '=', 'delivered')])


def wait_for_reports(env, gateway, started):
    """Seconds from the start of the drain until every message is delivered (None after the timeout).

    The server runs no cron here: the reports that came back before their batch was committed are
    applied by running their cron in this process, as a cron worker would."""
    while time.perf_counter() - started < REPORT_TIMEOUT:
        env['ddcpts.sms.message']._cron_apply_early_reports()
        env.cr.commit()
        if delivered_count(env, gateway) >= RECIPIENTS:
            return time.perf_counter() - started
        time.sleep(1)
    return None


def early_report_count(env):
    return env['ddcpts.callback'].search_count([('processor', '=', 'ddcpts.sms.message._ddcpts_process_delivery'),
                                                ('attempt_count', '>', 1)])


def main():
    bench.sandbox('POST', '/_sandbox/reset')
    child = multiprocessing.get_context('fork').Process(target=prepare)
    child.start()
    child.join()
    with bench.odoo_env() as env:
        gateway = env['ddcpts.sms.gateway'].search([('username', '=', 'bench')], limit=1)
        if REPORTS:
            bench.sandbox('POST', '/africastalking/dashboard/callbacks', json={
                'username': 'bench', 'delivery_reports': gateway._ddcpts_event_url('delivery')})
        memory_before = peak_rss_mb()
        log_since = bench.log_offset()
        started = time.perf_counter()
        seconds, peak_mb, states = drain(env)
        at_state = bench.sandbox('GET', '/_sandbox/state')['africastalking']
        bench.print_table(f"Mass SMS of {RECIPIENTS} recipients through Africa's Talking (simulator)", [{
            'recipients': RECIPIENTS,
            'http_requests': at_state['send_requests'],
            'drain_s': seconds,
            'sms_per_s': RECIPIENTS / seconds,
            'peak_rss_mb': peak_mb,
            'rss_before_mb': memory_before,
            'sms_states': ', '.join(f'{state}: {count}' for state, count in sorted(states.items())),
        }])
        if not REPORTS:
            return
        total = wait_for_reports(env, gateway, started)
        queries = bench.query_counts('/ddcpts/sms/africastalking/', log_since)
        per_report = sum(queries) / max(len(queries), 1)
        bench.print_table(f"Delivery reports (simulator -> server workers, {bench.load_average()})", [{
            'reports': len(queries),
            'all_delivered_after_s': total if total is not None else f'> {REPORT_TIMEOUT}',
            'delivered': delivered_count(env, gateway),
            'reports_before_commit': early_report_count(env),
            'queries_per_report': per_report,
        }])
        # the mean includes each worker's first report, which fills the worker's caches
        typical = statistics.median(queries) if queries else 0
        verdict = '' if typical <= QUERIES_PER_REPORT_TARGET else '  ABOVE TARGET'
        print(f"queries per delivery report: {typical:g} (median; mean {per_report:.2f}) "
              f"(target <= {QUERIES_PER_REPORT_TARGET}){verdict}")


if __name__ == '__main__':
    main()
