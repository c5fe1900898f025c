"""Time to build the repayment schedules of 10 000 loans with the SACCO loan schedule engine.

Plain Python, no Odoo and no database: the engine (addons/ddcpts_sacco/tools/loan_schedule.py) is
loaded from its file, so the script also runs without the stack of ``make bench``:
``python3 bench/bench_loan_schedule.py``.
The loans are a fixed pseudo-random mix of the three interest methods, the three frequencies, 1 to 60
installments, grace periods and daily interest. Each of the ``DDCPTS_BENCH_LOANS`` (default 10000)
loans is validated (``LoanTerms``) and scheduled (``build_schedule``); three rounds, the median next
to the target.
"""
import importlib.util
import os
import random
import statistics
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import common as bench

LOANS = int(os.environ.get('DDCPTS_BENCH_LOANS', 10000))
TARGET_SECONDS = 5.0
ROUNDS = 3

_PATH = Path(__file__).resolve().parent.parent / 'addons' / 'ddcpts_sacco' / 'tools' / 'loan_schedule.py'
_SPEC = importlib.util.spec_from_file_location('ddcpts_sacco_loan_schedule', _PATH)
ls = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = ls
_SPEC.loader.exec_module(ls)


def loan_values(count):
    """Keyword arguments of ``count`` loans, the same on every run."""
    rng = random.Random(20260101)
    loans = []
    for _ in range(count):
        installments = rng.randint(1, 60)
        loans.append({
            'principal': Decimal(rng.randint(1000, 5_000_000)),
            'annual_rate_percent': Decimal(rng.randint(0, 3000)).scaleb(-2),
            'installments': installments,
            'disbursement_date': date(2026, 1, 1) + timedelta(days=rng.randint(0, 365)),
            'method': rng.choice(ls.METHODS),
            'frequency': rng.choice((ls.MONTHLY, ls.MONTHLY, ls.WEEKLY, ls.FORTNIGHTLY)),
            'daily_interest': rng.random() < 0.2,
            'grace_principal': rng.choice((0, 0, 0, min(2, installments - 1))),
            'grace_interest_payment': rng.choice((0, 0, 0, 0, min(1, installments - 1))),
        })
    return loans


def main():
    loans = loan_values(LOANS)
    lines = sum(len(ls.due_dates(ls.LoanTerms(**values))) for values in loans)
    durations = bench.timed_calls(lambda _round: [ls.build_schedule(ls.LoanTerms(**values)) for values in loans],
                                  ROUNDS)
    seconds = statistics.median(durations) / 1000
    bench.print_table(f'Schedules of {LOANS} loans ({lines} installments), median of {ROUNDS} rounds', [{
        'seconds': seconds,
        'us_per_loan': round(seconds / LOANS * 1e6),
        'target_seconds': f'<= {TARGET_SECONDS:.0f}',
        'verdict': 'OK' if seconds <= TARGET_SECONDS else 'OVER TARGET',
    }])


if __name__ == '__main__':
    main()
