"""The loan schedule engine (tools/loan_schedule.py) against the rules of docs/sacco-loans.md.

Plain pytest, no database: the module has no Odoo import and is loaded from its file, so these tests
run the same with or without pytest-odoo. Expected figures are the reference vectors of a KES 100 000
loan at 12 % a year over 12 months, or worked out by hand / with exact fractions in the test.
"""
import importlib.util
import sys
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

_PATH = Path(__file__).resolve().parent.parent / 'tools' / 'loan_schedule.py'
_SPEC = importlib.util.spec_from_file_location('ddcpts_sacco_loan_schedule', _PATH)
ls = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = ls
_SPEC.loader.exec_module(ls)

D = Decimal
CENT = D('0.01')
DISBURSED = date(2026, 1, 31)


def terms(method=ls.DECLINING_EMI, **values):
    """The reference loan: KES 100 000 at 12 % a year, 12 monthly installments."""
    values.setdefault('principal', D('100000'))
    values.setdefault('annual_rate_percent', D('12'))
    values.setdefault('installments', 12)
    values.setdefault('disbursement_date', DISBURSED)
    return ls.LoanTerms(method=method, **values)


def row(schedule, number):
    line = schedule[number - 1]
    assert line.number == number
    return line.principal, line.interest, line.total, line.balance


def exact_emi(balance, rate, periods):
    """EMI from the formula in exact fractions, rounded half-up to the cent: an independent check."""
    balance, rate = Fraction(balance), Fraction(rate)
    growth = (1 + rate) ** periods
    value = balance * rate * growth / (growth - 1) if rate else balance / periods
    return (D(value.numerator) / D(value.denominator)).quantize(CENT, ROUND_HALF_UP)


def totals(schedule):
    return (sum(line.principal for line in schedule), sum(line.interest for line in schedule),
            sum(line.total for line in schedule))


class TestReferenceVectors:
    def test_flat(self):
        schedule = ls.build_schedule(terms(ls.FLAT))
        assert row(schedule, 1) == (D('8333.33'), D('1000.00'), D('9333.33'), D('91666.67'))
        assert row(schedule, 2) == (D('8333.33'), D('1000.00'), D('9333.33'), D('83333.34'))
        assert row(schedule, 12) == (D('8333.37'), D('1000.00'), D('9333.37'), D('0.00'))
        assert totals(schedule) == (D('100000.00'), D('12000.00'), D('112000.00'))

    def test_declining_equal_installments(self):
        loan = terms(ls.DECLINING_EMI)
        schedule = ls.build_schedule(loan)
        assert ls.emi(loan) == D('8884.88')
        assert row(schedule, 1) == (D('7884.88'), D('1000.00'), D('8884.88'), D('92115.12'))
        assert row(schedule, 2) == (D('7963.73'), D('921.15'), D('8884.88'), D('84151.39'))
        assert row(schedule, 11) == (D('8709.81'), D('175.07'), D('8884.88'), D('8796.88'))
        assert row(schedule, 12) == (D('8796.88'), D('87.97'), D('8884.85'), D('0.00'))
        assert {line.total for line in schedule[:11]} == {D('8884.88')}
        assert totals(schedule)[:2] == (D('100000.00'), D('6618.53'))

    def test_declining_equal_principal(self):
        schedule = ls.build_schedule(terms(ls.DECLINING_EQUAL_PRINCIPAL))
        assert row(schedule, 1) == (D('8333.33'), D('1000.00'), D('9333.33'), D('91666.67'))
        assert row(schedule, 2) == (D('8333.33'), D('916.67'), D('9250.00'), D('83333.34'))
        assert row(schedule, 11) == (D('8333.33'), D('166.67'), D('8500.00'), D('8333.37'))
        assert row(schedule, 12) == (D('8333.37'), D('83.33'), D('8416.70'), D('0.00'))
        assert totals(schedule)[:2] == (D('100000.00'), D('6500.00'))

    @pytest.mark.parametrize('method', ls.METHODS)
    def test_rounding_residual_on_last_line_only(self, method):
        schedule = ls.build_schedule(terms(method))
        # every line but the last is rounded on its own; the last takes what is left of the principal
        assert schedule[-1].principal == D('100000') - sum(line.principal for line in schedule[:-1])
        assert schedule[-1].balance == 0
        for before, line in zip(schedule, schedule[1:]):
            assert line.balance == before.balance - line.principal
        assert all(line.total == line.principal + line.interest for line in schedule)
        assert all(line.principal.as_tuple().exponent == -2 for line in schedule)

    def test_declining_interest_is_rounded_per_line_half_up(self):
        schedule = ls.build_schedule(terms(ls.DECLINING_EMI))
        balance = D('100000')
        for line in schedule:
            assert line.interest == (balance * D('0.01')).quantize(CENT, ROUND_HALF_UP)
            balance = line.balance


class TestGrace:
    def test_principal_grace_on_equal_installments(self):
        schedule = ls.build_schedule(terms(ls.DECLINING_EMI, grace_principal=2))
        # interest only during the grace, then the EMI of 10 installments on the whole principal
        assert row(schedule, 1) == (D('0.00'), D('1000.00'), D('1000.00'), D('100000.00'))
        assert row(schedule, 2) == (D('0.00'), D('1000.00'), D('1000.00'), D('100000.00'))
        emi = exact_emi(100000, Fraction(1, 100), 10)
        assert emi == D('10558.21') == ls.emi(terms(grace_principal=2))
        assert row(schedule, 3) == (D('9558.21'), D('1000.00'), emi, D('90441.79'))
        assert {line.total for line in schedule[2:11]} == {emi}
        assert schedule[-1].balance == 0 and totals(schedule)[0] == D('100000')

    @pytest.mark.parametrize('method', [ls.FLAT, ls.DECLINING_EQUAL_PRINCIPAL])
    def test_principal_grace_spreads_principal_over_the_rest(self, method):
        schedule = ls.build_schedule(terms(method, grace_principal=2))
        assert [line.principal for line in schedule[:2]] == [0, 0]
        assert {line.principal for line in schedule[2:11]} == {D('10000.00')}
        assert schedule[11].principal == D('10000.00') and schedule[-1].balance == 0
        assert schedule[0].interest == D('1000.00')

    def test_interest_payment_grace_defers_interest(self):
        plain = ls.build_schedule(terms(ls.DECLINING_EMI))
        schedule = ls.build_schedule(terms(ls.DECLINING_EMI, grace_interest_payment=2))
        assert [line.interest for line in schedule[:2]] == [0, 0]
        assert [line.deferred_interest for line in schedule[:3]] == [D('1000.00'), D('1921.15'), 0]
        # the first installment after the grace pays the deferred interest on top of its own
        assert schedule[2].interest == D('1000.00') + D('921.15') + D('841.51')
        assert schedule[2].total == D('8884.88') + D('1921.15')
        # principal and total interest are those of the loan without grace: the interest only moved
        assert [line.principal for line in schedule] == [line.principal for line in plain]
        assert totals(schedule)[1] == D('6618.53')

    def test_interest_free_grace_waives_interest(self):
        schedule = ls.build_schedule(terms(ls.DECLINING_EMI, grace_interest_charged=2))
        assert [line.interest for line in schedule[:2]] == [0, 0]
        assert [line.interest_charged for line in schedule[:2]] == [0, 0]
        assert schedule[2].interest == D('841.51')
        assert totals(schedule)[1] == D('6618.53') - D('1000.00') - D('921.15')

    def test_flat_interest_payment_grace_averages_over_paying_installments(self):
        schedule = ls.build_schedule(terms(ls.FLAT, grace_interest_payment=2))
        assert [line.interest for line in schedule[:2]] == [0, 0]
        assert {line.interest for line in schedule[2:]} == {D('1200.00')}
        assert totals(schedule)[1] == D('12000.00')
        assert schedule[1].deferred_interest == D('2000.00') and schedule[-1].deferred_interest == 0

    def test_flat_interest_free_grace(self):
        schedule = ls.build_schedule(terms(ls.FLAT, grace_interest_charged=2))
        assert [line.interest for line in schedule[:2]] == [0, 0]
        assert {line.interest for line in schedule[2:]} == {D('1000.00')}
        assert totals(schedule)[1] == D('10000.00')

    def test_principal_and_interest_grace_together(self):
        schedule = ls.build_schedule(terms(ls.DECLINING_EMI, grace_principal=2, grace_interest_payment=2))
        assert [line.total for line in schedule[:2]] == [0, 0]
        assert schedule[2].interest == D('3000.00')
        assert schedule[2].principal == exact_emi(100000, Fraction(1, 100), 10) - D('1000.00')


class TestFrequencies:
    def test_weekly(self):
        loan = terms(principal=D('52000'), annual_rate_percent=D('13'), installments=26,
                     frequency=ls.WEEKLY, disbursement_date=date(2026, 1, 5))
        schedule = ls.build_schedule(loan)
        emi = exact_emi(52000, Fraction(13, 100 * 52), 26)
        assert ls.emi(loan) == emi == D('2068.20')
        assert [line.due_date for line in schedule[:3]] == [date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 26)]
        assert {line.days for line in schedule} == {7}
        assert row(schedule, 1) == (D('1938.20'), D('130.00'), emi, D('50061.80'))
        assert schedule[-1].balance == 0 and totals(schedule)[0] == D('52000')

    def test_fortnightly(self):
        loan = terms(principal=D('52000'), annual_rate_percent=D('13'), installments=13,
                     frequency=ls.FORTNIGHTLY, disbursement_date=date(2026, 1, 5))
        schedule = ls.build_schedule(loan)
        assert ls.emi(loan) == exact_emi(52000, Fraction(13, 100 * 26), 13) == D('4141.40')
        assert schedule[0].due_date == date(2026, 1, 19) and schedule[-1].due_date == date(2026, 7, 6)
        assert {line.days for line in schedule} == {14}
        assert schedule[0].interest == D('260.00')
        assert schedule[-1].balance == 0

    def test_flat_weekly_interest_is_for_the_term_in_years(self):
        schedule = ls.build_schedule(terms(ls.FLAT, principal=D('52000'), annual_rate_percent=D('13'),
                                           installments=26, frequency=ls.WEEKLY))
        # 52 000 × 13 % × 26/52 years
        assert totals(schedule)[1] == D('3380.00')
        assert {line.interest for line in schedule} == {D('130.00')}

    def test_daily_interest_on_actual_days(self):
        schedule = ls.build_schedule(terms(ls.DECLINING_EMI, installments=3, daily_interest=True))
        assert [line.days for line in schedule] == [28, 31, 30]
        # 100 000 × 12 % × 28 / 365 = 920.547…
        assert schedule[0].interest == D('920.55')
        balance = D('100000')
        for line in schedule:
            assert line.interest == (balance * D('0.12') * line.days / 365).quantize(CENT, ROUND_HALF_UP)
            balance = line.balance
        # the EMI still comes from the monthly rate; the last line absorbs the difference
        assert schedule[0].total == schedule[1].total == exact_emi(100000, Fraction(1, 100), 3)
        assert schedule[-1].balance == 0

    def test_daily_interest_flat(self):
        schedule = ls.build_schedule(terms(ls.FLAT, installments=3, daily_interest=True))
        # 100 000 × 12 % × 89 days / 365 = 2 926.027…
        assert totals(schedule)[1] == D('2926.03')
        assert [line.interest for line in schedule] == [D('975.34'), D('975.34'), D('975.35')]


class TestDueDates:
    def test_month_end(self):
        schedule = ls.build_schedule(terms(installments=4))
        assert [line.due_date for line in schedule] == [
            date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
        assert [line.days for line in schedule] == [28, 31, 30, 31]

    def test_month_end_leap_year(self):
        schedule = ls.build_schedule(terms(installments=2, disbursement_date=date(2028, 1, 31)))
        assert [line.due_date for line in schedule] == [date(2028, 2, 29), date(2028, 3, 31)]

    def test_year_end(self):
        schedule = ls.build_schedule(terms(installments=3, disbursement_date=date(2026, 11, 30)))
        assert [line.due_date for line in schedule] == [date(2026, 12, 30), date(2027, 1, 30), date(2027, 2, 28)]

    def test_first_due_date(self):
        schedule = ls.build_schedule(terms(installments=3, disbursement_date=date(2026, 1, 20),
                                           first_due_date=date(2026, 3, 5)))
        assert [line.due_date for line in schedule] == [date(2026, 3, 5), date(2026, 4, 5), date(2026, 5, 5)]
        assert schedule[0].days == 44

    def test_first_due_date_weekly(self):
        schedule = ls.build_schedule(terms(installments=3, frequency=ls.WEEKLY, first_due_date=date(2026, 2, 6)))
        assert [line.due_date for line in schedule] == [date(2026, 2, 6), date(2026, 2, 13), date(2026, 2, 20)]

    def test_due_day(self):
        # a payroll check-off on the 25th: first due in the month after disbursement
        schedule = ls.build_schedule(terms(installments=2, disbursement_date=date(2026, 1, 10), due_day=25))
        assert [line.due_date for line in schedule] == [date(2026, 2, 25), date(2026, 3, 25)]

    def test_due_day_at_month_end_after_a_short_month(self):
        schedule = ls.build_schedule(terms(installments=3, disbursement_date=date(2026, 2, 1),
                                           first_due_date=date(2026, 2, 28), due_day=31))
        assert [line.due_date for line in schedule] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


class TestZeroRate:
    @pytest.mark.parametrize('method', ls.METHODS)
    def test_zero_rate(self, method):
        schedule = ls.build_schedule(terms(method, annual_rate_percent=D('0')))
        assert all(line.interest == 0 for line in schedule)
        assert [line.principal for line in schedule] == [D('8333.33')] * 11 + [D('8333.37')]
        assert totals(schedule) == (D('100000'), D('0'), D('100000'))

    def test_zero_rate_emi(self):
        assert ls.emi(terms(annual_rate_percent=0, installments=3)) == D('33333.33')

    def test_zero_decimal_currency(self):
        schedule = ls.build_schedule(terms(principal=D('100000'), installments=3, decimals=0))
        assert [line.principal for line in schedule] == [D('33002'), D('33332'), D('33666')]
        assert [line.interest for line in schedule] == [D('1000'), D('670'), D('337')]
        assert ls.emi(terms(installments=3, decimals=0)) == D('34002')


class TestEarlyRepayment:
    def test_reduce_installment(self):
        loan = terms(ls.DECLINING_EMI)
        schedule = ls.build_schedule(loan)
        result = ls.prepay(loan, schedule, 3, D('20000.00'), ls.REDUCE_INSTALLMENT)
        rest = result.installments
        # 76 108.02 owed after installment 3, less the lump sum, over the same 9 installments
        assert [line.number for line in rest] == list(range(4, 13))
        assert [line.due_date for line in rest] == [line.due_date for line in schedule[3:]]
        emi = exact_emi(D('56108.02'), Fraction(1, 100), 9)
        assert ls.emi(result.terms) == emi < D('8884.88')
        assert {line.total for line in rest[:-1]} == {emi}
        assert rest[0].interest == D('561.08')
        assert sum(line.principal for line in rest) == D('56108.02') and rest[-1].balance == 0

    def test_reduce_term(self):
        loan = terms(ls.DECLINING_EMI)
        schedule = ls.build_schedule(loan)
        result = ls.prepay(loan, schedule, 3, D('20000.00'), ls.REDUCE_TERM)
        rest = result.installments
        # the fewest installments whose EMI on 56 108.02 stays within 8 884.88
        fewest = next(m for m in range(1, 10) if exact_emi(D('56108.02'), Fraction(1, 100), m) <= D('8884.88'))
        assert fewest == 7 and len(rest) == 7
        assert [line.number for line in rest] == list(range(4, 11))
        assert [line.due_date for line in rest] == [line.due_date for line in schedule[3:10]]
        assert all(line.total <= D('8884.88') for line in rest)
        assert sum(line.principal for line in rest) == D('56108.02') and rest[-1].balance == 0

    def test_reduce_term_equal_principal_keeps_the_principal_part(self):
        loan = terms(ls.DECLINING_EQUAL_PRINCIPAL)
        schedule = ls.build_schedule(loan)
        result = ls.prepay(loan, schedule, 2, D('25000.00'), ls.REDUCE_TERM)
        # 83 333.34 − 25 000 = 58 333.34 at no more than 8 333.33 a time: 7 installments
        assert len(result.installments) == 7
        assert all(line.principal <= D('8333.37') for line in result.installments)
        assert sum(line.principal for line in result.installments) == D('58333.34')

    def test_flat_reduce_installment_recomputes_flat_interest(self):
        loan = terms(ls.FLAT)
        schedule = ls.build_schedule(loan)
        rest = ls.prepay(loan, schedule, 6, D('20000.02'), ls.REDUCE_INSTALLMENT).installments
        # 50 000.02 − 20 000.02 = 30 000 over 6 months: 5 000 a month, 30 000 × 12 % × 6/12 interest
        assert {line.principal for line in rest} == {D('5000.00')}
        assert {line.interest for line in rest} == {D('300.00')}

    def test_month_end_dates_and_rebuild_agree(self):
        loan = terms(ls.DECLINING_EMI)
        schedule = ls.build_schedule(loan)
        result = ls.prepay(loan, schedule, 0, D('10000.00'), ls.REDUCE_INSTALLMENT)
        rebuilt = ls.build_schedule(result.terms)
        assert [line.due_date for line in rebuilt] == [line.due_date for line in schedule]
        assert rebuilt == result.installments
        assert result.installments[0].interest == D('900.00')

    def test_repeated_prepayments_continue_numbering(self):
        loan = terms(ls.DECLINING_EMI)
        first = ls.prepay(loan, ls.build_schedule(loan), 2, D('10000.00'), ls.REDUCE_INSTALLMENT)
        second = ls.prepay(first.terms, first.installments, 3, D('10000.00'), ls.REDUCE_TERM)
        assert second.installments[0].number == 6
        assert second.installments[0].due_date == date(2026, 7, 31)
        owed = first.installments[2].balance - D('10000.00')
        assert sum(line.principal for line in second.installments) == owed
        assert all(line.total <= ls.emi(first.terms) for line in second.installments)

    def test_grace_and_deferred_interest_carry_over(self):
        loan = terms(ls.DECLINING_EMI, grace_principal=3, grace_interest_payment=2)
        schedule = ls.build_schedule(loan)
        result = ls.prepay(loan, schedule, 1, D('40000.00'), ls.REDUCE_INSTALLMENT)
        rest = result.installments
        assert result.terms.grace_principal == 2 and result.terms.grace_interest_payment == 1
        assert result.terms.interest_brought_forward == D('1000.00')
        assert rest[0].principal == 0 and rest[0].interest == 0
        # installment 3 pays installment 1's deferred 1 000 and the 600 of each month since
        assert rest[1].interest == D('1000.00') + D('600.00') + D('600.00')
        assert rest[1].principal == 0 and rest[2].principal > 0
        assert sum(line.principal for line in rest) == D('60000.00')

    @pytest.mark.parametrize(('paid', 'amount', 'mode', 'message'), [
        (3, D('76108.02'), ls.REDUCE_TERM, 'clears the principal'),
        (3, D('0'), ls.REDUCE_TERM, 'greater than zero'),
        (3, D('10.001'), ls.REDUCE_TERM, 'more decimals'),
        (3, 100.0, ls.REDUCE_TERM, 'not float'),
        (12, D('10'), ls.REDUCE_TERM, 'between 0 and 11'),
        (-1, D('10'), ls.REDUCE_TERM, 'between 0 and 11'),
        (3, D('10'), 'skip', 'Unknown early repayment option'),
    ])
    def test_invalid(self, paid, amount, mode, message):
        loan = terms()
        with pytest.raises(ls.LoanScheduleError, match=message):
            ls.prepay(loan, ls.build_schedule(loan), paid, amount, mode)

    def test_schedule_of_other_terms_refused(self):
        with pytest.raises(ls.LoanScheduleError, match='does not belong'):
            ls.prepay(terms(), ls.build_schedule(terms(installments=6)), 1, D('10'), ls.REDUCE_TERM)


class TestOutstanding:
    schedule = ls.build_schedule(terms(ls.DECLINING_EMI))

    def test_after_the_first_installment(self):
        state = ls.outstanding_at(self.schedule, date(2026, 3, 15), D('7884.88'), D('1000.00'))
        assert state.principal == D('92115.12')
        assert state.principal_overdue == state.interest_overdue == 0
        # 15 of the 31 days of March's period: 921.15 × 15 / 31 = 445.717…
        assert state.interest_accrued == D('445.72')
        assert state.payoff == D('92115.12') + D('445.72')

    def test_in_arrears(self):
        state = ls.outstanding_at(self.schedule, date(2026, 4, 1))
        assert state.principal == D('100000.00')
        assert state.principal_overdue == D('7884.88') + D('7963.73')
        assert state.interest_overdue == D('1921.15')
        assert state.interest_accrued == D('28.05')  # 841.51 × 1 / 30
        assert state.payoff == D('100000.00') + D('1921.15') + D('28.05')

    def test_on_a_due_date_and_before_disbursement(self):
        assert ls.outstanding_at(self.schedule, date(2026, 2, 28)).interest_overdue == D('1000.00')
        before = ls.outstanding_at(self.schedule, date(2026, 1, 1))
        assert before.interest_accrued == 0 and before.payoff == D('100000.00')

    def test_after_maturity_all_paid(self):
        principal, interest, _total = totals(self.schedule)
        state = ls.outstanding_at(self.schedule, date(2027, 6, 1), principal, interest)
        assert state.payoff == 0

    def test_deferred_interest_is_accrued(self):
        schedule = ls.build_schedule(terms(ls.DECLINING_EMI, grace_interest_payment=2))
        state = ls.outstanding_at(schedule, date(2026, 3, 1), D('7884.88'))
        assert state.interest_overdue == 0
        assert state.interest_accrued == D('1000.00') + (D('921.15') / 31).quantize(CENT, ROUND_HALF_UP)

    def test_rounded_to_the_currency_of_the_schedule(self):
        schedule = ls.build_schedule(terms(installments=3, decimals=0))
        # UGX: 1 000 × 10 days of the 28 to 28 February = 357.14… → 357
        assert ls.outstanding_at(schedule, date(2026, 2, 10)).interest_accrued == D('357')

    def test_invalid(self):
        with pytest.raises(ls.LoanScheduleError, match='More principal'):
            ls.outstanding_at(self.schedule, date(2026, 3, 1), D('100000.01'))
        with pytest.raises(ls.LoanScheduleError, match='cannot be negative'):
            ls.outstanding_at(self.schedule, date(2026, 3, 1), D('-1'))


class TestLoanLimit:
    today = date(2026, 12, 1)
    # KES 5 000 on the 1st of every month of 2026, and a KES 100 000 lump sum ten days ago
    monthly = [(date(2026, month, 1), D('5000')) for month in range(1, 13)]
    boost = (today - timedelta(days=10), D('100000'))

    def test_multiple_of_deposits(self):
        limit = ls.loan_limit(self.monthly, self.today)
        assert (limit.counted, limit.limit, limit.available) == (D('60000'), D('180000.00'), D('180000.00'))

    def test_boosting_lump_sum_excluded(self):
        limit = ls.loan_limit([*self.monthly, self.boost], self.today, boost_days=90)
        # the regular deposits made inside the 90 days still count
        assert limit.boosting == D('100000') and limit.counted == D('60000') and limit.limit == D('180000.00')
        # without a boosting window the lump sum counts
        assert ls.loan_limit([*self.monthly, self.boost], self.today).counted == D('160000')

    def test_seasoning(self):
        limit = ls.loan_limit(self.monthly, self.today, multiple=D('4'), seasoning_months=6)
        # deposits of 1 June 2026 and later are younger than 6 months on 1 December 2026
        assert limit.counted == D('30000') and limit.too_recent == D('30000') and limit.limit == D('120000.00')

    def test_new_member_without_history(self):
        limit = ls.loan_limit([self.boost], self.today, boost_days=90)
        assert limit.boosting == D('100000') and limit.limit == 0

    def test_outstanding_loans_and_future_deposits(self):
        future = (self.today + timedelta(days=1), D('99999'))
        limit = ls.loan_limit([*self.monthly, future], self.today, outstanding=D('200000'))
        assert limit.limit == D('180000.00') and limit.available == 0
        assert ls.loan_limit(self.monthly, self.today, outstanding=D('50000')).available == D('130000.00')

    def test_limit_rounds_down(self):
        assert ls.loan_limit([(date(2026, 1, 1), D('33.33'))], self.today, multiple=D('2.5')).limit == D('83.32')

    @pytest.mark.parametrize(('deposits', 'values', 'message'), [
        ([(date(2026, 1, 1), 10.5)], {}, 'not float'),
        ([(date(2026, 1, 1), D('-5'))], {}, 'cannot be negative'),
        ([(None, D('5'))], {}, 'needs its date'),
        ([], {'multiple': D('-3')}, 'cannot be negative'),
        ([], {'boost_days': -1}, 'cannot be negative'),
    ])
    def test_invalid(self, deposits, values, message):
        with pytest.raises(ls.LoanScheduleError, match=message):
            ls.loan_limit(deposits, self.today, **values)


@pytest.mark.parametrize(('values', 'message'), [
    ({'principal': D('0')}, 'greater than zero'),
    ({'principal': D('-100')}, 'greater than zero'),
    ({'principal': 100000.0}, 'not float'),
    ({'principal': D('NaN')}, 'must be a number'),
    ({'principal': D('100.005')}, 'more decimals'),
    ({'annual_rate_percent': D('-1')}, 'cannot be negative'),
    ({'annual_rate_percent': 12.0}, 'not float'),
    ({'installments': 0}, 'at least one installment'),
    ({'installments': 2.0}, 'whole number'),
    ({'grace_principal': 12}, r'grace on principal \(12 installments\) must be shorter'),
    ({'grace_interest_payment': 13}, 'must be shorter'),
    ({'grace_interest_charged': -1}, 'cannot be negative'),
    ({'method': 'balloon'}, 'Unknown interest method'),
    ({'frequency': 'daily'}, 'Unknown repayment frequency'),
    ({'first_due_date': DISBURSED}, 'after the disbursement date'),
    ({'due_day': 5, 'frequency': ls.WEEKLY}, 'monthly loans only'),
    ({'due_day': 32}, 'between 1 and 31'),
    ({'due_day': 25, 'first_due_date': date(2026, 2, 24)}, 'does not fall on repayment day 25'),
    ({'disbursement_date': None}, 'disbursement date is required'),
    ({'first_due_date': '2026-03-01'}, 'first due date must be a date'),
    ({'interest_brought_forward': D('-1')}, 'cannot be negative'),
    ({'decimals': 5}, 'between 0 and 4 decimals'),
])
def test_invalid_terms(values, message):
    with pytest.raises(ls.LoanScheduleError, match=message):
        terms(**values)


def test_emi_only_for_equal_installments():
    with pytest.raises(ls.LoanScheduleError, match='equal installments'):
        ls.emi(terms(ls.FLAT))


@st.composite
def loan_terms(draw):
    installments = draw(st.integers(1, 120))
    return ls.LoanTerms(
        principal=D(draw(st.integers(1, 10**9))).scaleb(-2),
        annual_rate_percent=D(draw(st.integers(0, 6000))).scaleb(-2),
        installments=installments,
        disbursement_date=draw(st.dates(date(2020, 1, 1), date(2035, 12, 31))),
        method=draw(st.sampled_from(ls.METHODS)),
        frequency=draw(st.sampled_from(list(ls.PERIODS_PER_YEAR))),
        daily_interest=draw(st.booleans()),
        grace_principal=draw(st.integers(0, installments - 1)),
        grace_interest_payment=draw(st.integers(0, installments - 1)),
        grace_interest_charged=draw(st.integers(0, installments - 1)),
    )


@settings(derandomize=True, max_examples=300, deadline=None)
@given(loan_terms())
def test_schedule_properties(loan):
    schedule = ls.build_schedule(loan)
    assert len(schedule) == loan.installments
    assert sum(line.principal for line in schedule) == loan.principal
    balances = [loan.principal] + [line.balance for line in schedule]
    assert all(later <= earlier for earlier, later in zip(balances, balances[1:]))
    assert schedule[-1].balance == D('0.00') and schedule[-1].deferred_interest == 0
    for line in schedule:
        assert min(line.principal, line.interest, line.interest_charged, line.deferred_interest, line.balance) >= 0
        assert line.total == line.principal + line.interest
    assert sum(line.interest for line in schedule) == sum(line.interest_charged for line in schedule)
    dates = [loan.disbursement_date] + [line.due_date for line in schedule]
    assert all(earlier < later for earlier, later in zip(dates, dates[1:]))


@settings(derandomize=True, max_examples=150, deadline=None)
@given(loan_terms(), st.data())
def test_early_repayment_properties(loan, data):
    schedule = ls.build_schedule(loan)
    paid = data.draw(st.integers(0, loan.installments - 1))
    owed = schedule[paid - 1].balance if paid else loan.principal
    assume(owed >= D('0.02'))
    amount = D(data.draw(st.integers(1, int(owed * 100) - 1))).scaleb(-2)
    mode = data.draw(st.sampled_from([ls.REDUCE_TERM, ls.REDUCE_INSTALLMENT]))
    rest = ls.prepay(loan, schedule, paid, amount, mode).installments
    assert sum(line.principal for line in rest) == owed - amount
    assert rest[-1].balance == 0 and all(line.principal >= 0 and line.interest >= 0 for line in rest)
    assert [line.due_date for line in rest] == [line.due_date for line in schedule[paid:paid + len(rest)]]
    if mode == ls.REDUCE_INSTALLMENT:
        assert len(rest) == loan.installments - paid
