"""Loan repayment schedules of SACCO loan products, in plain Python and ``Decimal`` (no Odoo import).

The rules (formulas, rounding, grace, due dates, early repayment, loan limit) are written out in
``docs/sacco-loans.md``; this module is their one implementation, so that the loan models, the USSD
loan-limit answer and the benchmark all compute the same cents::

    terms = LoanTerms(Decimal('100000'), Decimal('12'), 12, date(2026, 1, 31), method=DECLINING_EMI)
    rows = build_schedule(terms)          # [Installment(number=1, due_date=date(2026, 2, 28), ...), ...]
    emi(terms)                            # Decimal('8884.88')

Money is ``Decimal`` (or ``int``) only: a ``float`` amount is refused. Invalid terms raise
:class:`LoanScheduleError`, a ``ValueError`` whose message a clerk can read.
"""
import calendar
import dataclasses
import statistics
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

FLAT = 'flat'
DECLINING_EMI = 'declining_emi'
DECLINING_EQUAL_PRINCIPAL = 'declining_equal_principal'
METHODS = (FLAT, DECLINING_EMI, DECLINING_EQUAL_PRINCIPAL)

WEEKLY = 'weekly'
FORTNIGHTLY = 'fortnightly'
MONTHLY = 'monthly'
PERIODS_PER_YEAR = {WEEKLY: 52, FORTNIGHTLY: 26, MONTHLY: 12}
PERIOD_DAYS = {WEEKLY: 7, FORTNIGHTLY: 14}
DAYS_IN_YEAR = 365

REDUCE_TERM = 'reduce_term'
REDUCE_INSTALLMENT = 'reduce_installment'

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# enough digits that (1 + r) ** n of a 30-year weekly loan keeps its cents
PRECISION = 40


class LoanScheduleError(ValueError):
    """Loan terms or a repayment request that cannot give a schedule; the message says why."""


def _money(value, label):
    """``value`` as a Decimal; floats are refused because they cannot hold cents exactly."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise LoanScheduleError(f"The {label} must be a Decimal amount, not {type(value).__name__}.")
    value = Decimal(value)
    if not value.is_finite():
        raise LoanScheduleError(f"The {label} must be a number.")
    return value


def _count(value, label):
    if isinstance(value, bool) or not isinstance(value, int):
        raise LoanScheduleError(f"The {label} must be a whole number.")
    return value


def add_months(day, months, day_of_month=None):
    """``day`` moved by ``months`` calendar months on ``day_of_month`` (default its own day), kept
    inside the month: Jan 31 + 1 month is Feb 28 (29 in a leap year), + 2 months is Mar 31."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day_of_month or day.day, last_day))


@dataclasses.dataclass(frozen=True)
class LoanTerms:
    """What a schedule is computed from: a loan product's parameters applied to one loan.

    ``principal``: the amount disbursed (a Decimal with at most ``decimals`` decimals).
    ``annual_rate_percent``: nominal interest rate in percent per year (``Decimal('12')`` is 12 %).
    ``installments``: number of repayments n. ``disbursement_date``: interest runs from this day.
    ``method``: FLAT, DECLINING_EMI (equal installments) or DECLINING_EQUAL_PRINCIPAL.
    ``frequency``: WEEKLY, FORTNIGHTLY or MONTHLY.
    ``first_due_date``: defaults to one period after disbursement.
    ``due_day``: monthly loans only, the day of the month installments fall on (a payroll check-off
    day); defaults to the day of ``first_due_date``, else of the disbursement date.
    ``daily_interest``: interest on the actual days of each period over a 365-day year instead of
    the periodic rate annual rate / periods per year.
    ``grace_principal``: first installments that pay no principal (interest only).
    ``grace_interest_payment``: first installments whose interest is charged but deferred to the
    first installment after them (Fineract's "grace on interest payment", the default kind).
    ``grace_interest_charged``: first periods that bear no interest at all (interest-free).
    ``interest_brought_forward``: interest earned before these terms start and still unpaid, due
    with the first installment that pays interest (used when a schedule is recomputed).
    ``decimals``: decimals of the currency (2 for KES, 0 for UGX).
    """

    principal: Decimal
    annual_rate_percent: Decimal
    installments: int
    disbursement_date: date
    method: str = DECLINING_EMI
    frequency: str = MONTHLY
    first_due_date: date | None = None
    due_day: int | None = None
    daily_interest: bool = False
    grace_principal: int = 0
    grace_interest_payment: int = 0
    grace_interest_charged: int = 0
    interest_brought_forward: Decimal = ZERO
    decimals: int = 2

    def __post_init__(self):
        decimals = _count(self.decimals, "number of decimals of the currency")
        if not 0 <= decimals <= 4:
            raise LoanScheduleError("The currency must have between 0 and 4 decimals.")
        principal = _money(self.principal, "loan amount")
        if principal <= 0:
            raise LoanScheduleError("The loan amount must be greater than zero.")
        if principal != principal.quantize(self.quantum):
            raise LoanScheduleError(f"The loan amount {principal} has more decimals than the currency allows.")
        rate = _money(self.annual_rate_percent, "interest rate")
        if rate < 0:
            raise LoanScheduleError("The interest rate cannot be negative.")
        brought_forward = _money(self.interest_brought_forward, "interest brought forward")
        if brought_forward < 0:
            raise LoanScheduleError("The interest brought forward cannot be negative.")
        installments = _count(self.installments, "number of installments")
        if installments < 1:
            raise LoanScheduleError("A loan needs at least one installment.")
        if self.method not in METHODS:
            raise LoanScheduleError(f"Unknown interest method {self.method!r}: use one of {', '.join(METHODS)}.")
        if self.frequency not in PERIODS_PER_YEAR:
            raise LoanScheduleError(
                f"Unknown repayment frequency {self.frequency!r}: use one of {', '.join(PERIODS_PER_YEAR)}.")
        for field, label in (('grace_principal', "grace on principal"),
                             ('grace_interest_payment', "grace on interest payment"),
                             ('grace_interest_charged', "interest-free grace")):
            grace = _count(getattr(self, field), label)
            if grace < 0:
                raise LoanScheduleError(f"The {label} cannot be negative.")
            if grace >= installments:
                raise LoanScheduleError(
                    f"The {label} ({grace} installments) must be shorter than the loan ({installments} installments).")
        if not isinstance(self.disbursement_date, date):
            raise LoanScheduleError("The disbursement date is required.")
        if self.first_due_date is not None and not isinstance(self.first_due_date, date):
            raise LoanScheduleError("The first due date must be a date.")
        if self.first_due_date is not None and self.first_due_date <= self.disbursement_date:
            raise LoanScheduleError("The first installment must fall due after the disbursement date.")
        if self.due_day is not None:
            if self.frequency != MONTHLY:
                raise LoanScheduleError("A repayment day of the month applies to monthly loans only.")
            if not 1 <= _count(self.due_day, "repayment day") <= 31:
                raise LoanScheduleError("The repayment day must be between 1 and 31.")
            if self.first_due_date and self.first_due_date != add_months(self.first_due_date, 0, self.due_day):
                raise LoanScheduleError(
                    f"The first installment ({self.first_due_date}) does not fall on repayment day {self.due_day}.")
        object.__setattr__(self, 'principal', principal)
        object.__setattr__(self, 'annual_rate_percent', rate)
        object.__setattr__(self, 'interest_brought_forward', brought_forward)

    @property
    def quantum(self):
        return Decimal(1).scaleb(-self.decimals)

    @property
    def periodic_rate(self):
        """r = annual rate / periods per year, as a fraction (0.01 for 12 % a year paid monthly)."""
        return self.annual_rate_percent / HUNDRED / PERIODS_PER_YEAR[self.frequency]


@dataclasses.dataclass(frozen=True, slots=True)
class Installment:
    """One line of a schedule; ``interest`` and ``total`` are what this installment asks for.

    ``interest_charged`` is the interest the period earned (``interest`` differs under grace on
    interest payment: deferred, then asked for later), ``deferred_interest`` what is earned and not
    yet asked for after this line, ``balance`` the principal still owed after it."""

    number: int
    due_date: date
    days: int
    principal: Decimal
    interest: Decimal
    total: Decimal
    balance: Decimal
    interest_charged: Decimal
    deferred_interest: Decimal


def _due_day(terms):
    return terms.due_day or (terms.first_due_date or terms.disbursement_date).day


def due_dates(terms):
    """The n due dates: every week, fortnight, or month on ``due_day`` (clamped to the month's end)."""
    n = terms.installments
    if terms.frequency == MONTHLY:
        day = _due_day(terms)
        first = terms.first_due_date or add_months(terms.disbursement_date, 1, day)
        return [add_months(first, k, day) for k in range(n)]
    step = timedelta(days=PERIOD_DAYS[terms.frequency])
    first = terms.first_due_date or terms.disbursement_date + step
    return [first + step * k for k in range(n)]


def _round(amount, quantum):
    return amount.quantize(quantum, ROUND_HALF_UP)


def _annuity(balance, rate, periods, quantum):
    """EMI = B·r·(1+r)^m / ((1+r)^m − 1), or B / m at a zero rate; rounded to the currency."""
    if not rate:
        return _round(balance / periods, quantum)
    growth = (1 + rate) ** periods
    return _round(balance * rate * growth / (growth - 1), quantum)


def emi(terms):
    """The equal installment of a DECLINING_EMI loan, over the installments after the principal grace."""
    if terms.method != DECLINING_EMI:
        raise LoanScheduleError("Only a declining balance loan with equal installments has an EMI.")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return _annuity(terms.principal, terms.periodic_rate, terms.installments - terms.grace_principal,
                        terms.quantum)


def build_schedule(terms):
    """The list of :class:`Installment` of ``terms`` (docs/sacco-loans.md)."""
    return _build_rows(terms, due_dates(terms))


def _build_rows(terms, dates, first_number=1):
    with localcontext() as ctx:
        ctx.prec = PRECISION
        if terms.method == FLAT:
            return _flat_rows(terms, dates, first_number)
        return _declining_rows(terms, dates, first_number)


def _period_days(terms, dates):
    previous = terms.disbursement_date
    days = []
    for due in dates:
        days.append((due - previous).days)
        previous = due
    return days


def _principal_part(terms, k, balance, equal_part):
    """Principal of line k: none during the grace, the whole balance on the last line (the rounding
    residual), never more than the balance."""
    if k <= terms.grace_principal:
        return ZERO.quantize(terms.quantum)
    if k == terms.installments:
        return balance
    return min(equal_part, balance)


def _flat_rows(terms, dates, first_number):
    q, n, principal = terms.quantum, terms.installments, terms.principal
    rate = terms.annual_rate_percent / HUNDRED
    if terms.daily_interest:
        total_days = (dates[-1] - terms.disbursement_date).days
        nominal_total = _round(principal * rate * total_days / DAYS_IN_YEAR, q)
    else:
        nominal_total = _round(principal * rate * n / PERIODS_PER_YEAR[terms.frequency], q)
    per_period = _round(nominal_total / n, q)
    free, no_payment = terms.grace_interest_charged, max(terms.grace_interest_charged, terms.grace_interest_payment)
    interest_total = max(nominal_total - per_period * free, ZERO)
    per_installment = _round(interest_total / (n - no_payment), q)
    principal_part = _round(principal / (n - terms.grace_principal), q)

    rows, balance, zero = [], principal, ZERO.quantize(q)
    charged_left, due_left = interest_total, interest_total
    deferred = terms.interest_brought_forward
    for k, (due_date, days) in enumerate(zip(dates, _period_days(terms, dates)), start=1):
        paid_principal = _principal_part(terms, k, balance, principal_part)
        balance -= paid_principal
        charged = zero if k <= free else (charged_left if k == n else min(per_period, charged_left))
        charged_left -= charged
        interest = zero
        if k > no_payment:
            interest = due_left if k == n else min(per_installment, due_left)
            due_left -= interest
            if k == no_payment + 1:
                interest += terms.interest_brought_forward
        deferred += charged - interest
        rows.append(Installment(first_number + k - 1, due_date, days, paid_principal, interest,
                                paid_principal + interest, balance, charged, max(deferred, zero)))
    return rows


def _declining_rows(terms, dates, first_number):
    q, n, balance = terms.quantum, terms.installments, terms.principal
    equal_part = emi(terms) if terms.method == DECLINING_EMI else _round(balance / (n - terms.grace_principal), q)
    periodic_rate, annual_rate = terms.periodic_rate, terms.annual_rate_percent / HUNDRED
    rows, deferred, zero = [], terms.interest_brought_forward, ZERO.quantize(q)
    for k, (due_date, days) in enumerate(zip(dates, _period_days(terms, dates)), start=1):
        if terms.daily_interest:
            nominal = _round(balance * annual_rate * days / DAYS_IN_YEAR, q)
        else:
            nominal = _round(balance * periodic_rate, q)
        if terms.method == DECLINING_EMI:
            # the principal follows the EMI as if interest were charged, so grace never moves it
            paid_principal = _principal_part(terms, k, balance, max(equal_part - nominal, ZERO))
        else:
            paid_principal = _principal_part(terms, k, balance, equal_part)
        balance -= paid_principal
        charged = zero if k <= terms.grace_interest_charged else nominal
        deferred += charged
        interest = zero
        if k > terms.grace_interest_payment:
            interest, deferred = deferred, zero
        rows.append(Installment(first_number + k - 1, due_date, days, paid_principal, interest,
                                paid_principal + interest, balance, charged, deferred))
    return rows


@dataclasses.dataclass(frozen=True)
class Rescheduled:
    """A schedule recomputed after a lump sum: the new terms of what is left, and its installments
    numbered after the ones already paid."""

    terms: LoanTerms
    installments: list


def _regular_amount(terms):
    """What a reduce-term prepayment keeps: the EMI, or the principal per installment."""
    if terms.method == DECLINING_EMI:
        return emi(terms)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return _round(terms.principal / (terms.installments - terms.grace_principal), terms.quantum)


def prepay(terms, schedule, paid_count, amount, mode):
    """The rest of ``schedule`` (built from ``terms``) after a lump sum ``amount`` paid together with
    installment ``paid_count`` (0: right at disbursement), all of it against principal.

    ``mode`` REDUCE_INSTALLMENT keeps the number of installments left and lowers them;
    REDUCE_TERM keeps the installment (the EMI, or the principal per installment of the other
    methods) and drops installments from the end. Remaining grace and deferred interest carry over.
    """
    n = terms.installments
    if len(schedule) != n:
        raise LoanScheduleError("The schedule does not belong to these loan terms.")
    if isinstance(paid_count, bool) or not isinstance(paid_count, int) or not 0 <= paid_count < n:
        raise LoanScheduleError(f"The installments paid must be between 0 and {n - 1}.")
    amount = _money(amount, "early repayment")
    if amount <= 0:
        raise LoanScheduleError("The early repayment must be greater than zero.")
    if amount != amount.quantize(terms.quantum):
        raise LoanScheduleError(f"The early repayment {amount} has more decimals than the currency allows.")
    if mode not in (REDUCE_TERM, REDUCE_INSTALLMENT):
        raise LoanScheduleError(f"Unknown early repayment option {mode!r}: use {REDUCE_TERM} or {REDUCE_INSTALLMENT}.")
    last_paid = schedule[paid_count - 1] if paid_count else None
    balance = last_paid.balance if last_paid else terms.principal
    if amount >= balance:
        raise LoanScheduleError(f"The early repayment {amount} clears the principal left ({balance}): "
                                "close the loan with its payoff amount instead.")
    dates = [row.due_date for row in schedule[paid_count:]]
    start = last_paid.due_date if last_paid else terms.disbursement_date
    left = n - paid_count
    new_terms = dataclasses.replace(
        terms, principal=balance - amount, installments=left, disbursement_date=start, first_due_date=dates[0],
        due_day=_due_day(terms) if terms.frequency == MONTHLY else None,
        grace_principal=max(terms.grace_principal - paid_count, 0),
        grace_interest_payment=max(terms.grace_interest_payment - paid_count, 0),
        grace_interest_charged=max(terms.grace_interest_charged - paid_count, 0),
        interest_brought_forward=last_paid.deferred_interest if last_paid else terms.interest_brought_forward,
    )
    if mode == REDUCE_TERM:
        regular = _regular_amount(terms)
        # the fewest installments whose regular amount does not exceed the current one
        shortest = max(new_terms.grace_principal, new_terms.grace_interest_payment,
                       new_terms.grace_interest_charged) + 1
        while shortest < left and _regular_amount(dataclasses.replace(new_terms, installments=shortest)) > regular:
            shortest += 1
        new_terms = dataclasses.replace(new_terms, installments=shortest)
        dates = dates[:shortest]
    return Rescheduled(new_terms, _build_rows(new_terms, dates, first_number=schedule[0].number + paid_count))


@dataclasses.dataclass(frozen=True)
class Outstanding:
    """What a loan owes on a date, given what was repaid: ``principal`` still owed, the part of it
    and of the interest already due and unpaid (arrears), the interest earned but not yet due, and
    ``payoff``, the amount that closes the loan that day."""

    principal: Decimal
    principal_overdue: Decimal
    interest_overdue: Decimal
    interest_accrued: Decimal
    payoff: Decimal


def outstanding_at(schedule, on_date, principal_paid=ZERO, interest_paid=ZERO):
    """The :class:`Outstanding` of a schedule on ``on_date`` after repayments totalling
    ``principal_paid`` and ``interest_paid``; the current period's interest accrues day by day,
    rounded to the decimals of the schedule's own amounts."""
    principal_paid = _money(principal_paid, "principal repaid")
    interest_paid = _money(interest_paid, "interest repaid")
    if principal_paid < 0 or interest_paid < 0:
        raise LoanScheduleError("Repaid amounts cannot be negative.")
    total_principal = sum((row.principal for row in schedule), ZERO)
    if principal_paid > total_principal:
        raise LoanScheduleError("More principal was repaid than the loan lent.")
    principal_due = interest_due = deferred = accrued = ZERO
    for row in schedule:
        if row.due_date <= on_date:
            principal_due += row.principal
            interest_due += row.interest
            deferred = row.deferred_interest
            continue
        elapsed = min(max((on_date - (row.due_date - timedelta(days=row.days))).days, 0), row.days)
        quantum = Decimal(1).scaleb(row.interest_charged.as_tuple().exponent)
        accrued = _round(row.interest_charged * elapsed / row.days, quantum)
        break
    principal = total_principal - principal_paid
    principal_overdue = max(principal_due - principal_paid, ZERO)
    interest_overdue = max(interest_due - interest_paid, ZERO)
    # interest paid ahead of its due date lowers what is accrued
    interest_accrued = max(deferred + accrued - max(interest_paid - interest_due, ZERO), ZERO)
    return Outstanding(principal, principal_overdue, interest_overdue, interest_accrued,
                       principal + interest_overdue + interest_accrued)


@dataclasses.dataclass(frozen=True)
class LoanLimit:
    """A member's loan limit and how it was reached: deposits ``counted`` × multiple = ``limit``;
    ``available`` is the limit less the loans already outstanding."""

    counted: Decimal
    too_recent: Decimal
    boosting: Decimal
    limit: Decimal
    available: Decimal


def loan_limit(deposits, on_date, multiple=Decimal(3), seasoning_months=0, boost_days=0, boost_factor=Decimal(2),
               outstanding=ZERO, decimals=2):
    """The :class:`LoanLimit` of a member whose deposits are ``(date, amount)`` pairs.

    A deposit counts once it is ``seasoning_months`` old. A deposit made in the last ``boost_days``
    days larger than ``boost_factor`` × the member's regular deposit (the median of the deposits
    before those days; none before: every such deposit) is a boosting lump sum and never counts.
    Deposits dated after ``on_date`` are ignored. The limit is rounded down to the currency.
    """
    multiple = _money(multiple, "deposit multiple")
    boost_factor = _money(boost_factor, "boosting factor")
    outstanding = _money(outstanding, "outstanding loans")
    if multiple < 0 or boost_factor < 0 or outstanding < 0:
        raise LoanScheduleError("The deposit multiple, boosting factor and outstanding loans cannot be negative.")
    if _count(seasoning_months, "seasoning period") < 0 or _count(boost_days, "boosting window") < 0:
        raise LoanScheduleError("The seasoning period and the boosting window cannot be negative.")
    entries = []
    for day, amount in deposits:
        amount = _money(amount, "deposit")
        if amount < 0:
            raise LoanScheduleError("A deposit cannot be negative: pass deposits net of reversals.")
        if not isinstance(day, date):
            raise LoanScheduleError("Every deposit needs its date.")
        if day <= on_date:
            entries.append((day, amount))
    seasoned_by = add_months(on_date, -seasoning_months)
    window_start = on_date - timedelta(days=boost_days)
    before_window = [amount for day, amount in entries if day <= window_start]
    regular = statistics.median(before_window) if before_window else ZERO
    counted = too_recent = boosting = ZERO
    for day, amount in entries:
        if boost_days and day > window_start and amount > regular * boost_factor:
            boosting += amount
        elif day > seasoned_by:
            too_recent += amount
        else:
            counted += amount
    limit = (counted * multiple).quantize(Decimal(1).scaleb(-decimals), ROUND_DOWN)
    return LoanLimit(counted, too_recent, boosting, limit, max(limit - outstanding, ZERO))
