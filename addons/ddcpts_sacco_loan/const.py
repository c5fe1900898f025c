"""Constants of SACCO loans (see docs/sacco-loans.md)."""
from decimal import Decimal

from odoo.addons.ddcpts_base.tools import schema
from odoo.addons.ddcpts_sacco.tools import loan_schedule as ls

# Paybill account reference of a loan: its number (LN0007), optionally followed by a space or dash
PAYBILL_PATTERN = r'^(?P<loan>LN\d+)$'

INTEREST_METHODS = [
    (ls.FLAT, "Flat"),
    (ls.DECLINING_EMI, "Declining Balance, Equal Installments"),
    (ls.DECLINING_EQUAL_PRINCIPAL, "Declining Balance, Equal Principal"),
]
FREQUENCIES = [(ls.WEEKLY, "Weekly"), (ls.FORTNIGHTLY, "Fortnightly"), (ls.MONTHLY, "Monthly")]
PREPAYMENT_MODES = [(ls.REDUCE_TERM, "Reduce the Term"), (ls.REDUCE_INSTALLMENT, "Reduce the Installment")]

CHARGE_TYPES = [('percent', "% of the Principal"), ('fixed', "Fixed Amount")]
CHARGE_MODES = [('deducted', "Deducted from the Disbursement"), ('capitalised', "Added to the Principal")]
PENALTY_TYPES = [('percent', "% of the Overdue Amount per Period"), ('fixed', "Fixed Amount per Period")]

# the four components of what a borrower owes, in Fineract's default allocation order
COMPONENTS = ('penalty', 'fee', 'interest', 'principal')
ALLOCATION_ORDERS = [
    ('penalty,fee,interest,principal', "Penalties, Fees, Interest, Principal"),
    ('interest,penalty,fee,principal', "Interest, Penalties, Fees, Principal"),
    ('principal,interest,penalty,fee', "Principal, Interest, Penalties, Fees"),
    ('interest,principal,penalty,fee', "Interest, Principal, Penalties, Fees"),
]

LOAN_STATES = [
    ('draft', "Draft"),
    ('submitted', "Submitted"),
    ('appraisal', "In Appraisal"),
    ('approved', "Approved"),
    ('active', "Active"),
    ('closed', "Closed"),
    ('written_off', "Written Off"),
    ('rejected', "Rejected"),
    ('withdrawn', "Withdrawn"),
]
# states in which a loan holds money of the SACCO (blocks exit, locks pledges)
OPEN_STATES = ('approved', 'active')

DISBURSEMENT_METHODS = [('mobile', "Mobile Money"), ('bank', "Bank Transfer"), ('cash', "Cash")]

GUARANTOR_STATES = [
    ('requested', "Requested"),
    ('accepted', "Accepted"),
    ('declined', "Declined"),
    ('released', "Released"),
    ('called', "Called on Default"),
]

TRANSACTION_TYPES = [
    ('disbursement', "Disbursement"),
    ('repayment', "Repayment"),
    ('waiver', "Waiver"),
    ('write_off', "Write-off"),
    ('recovery', "Recovery"),
    ('accrual', "Interest Accrual"),
]
REPAYMENT_CHANNELS = [('mobile', "Mobile Money"), ('checkoff', "Check-off"), ('cash', "Cash"), ('bank', "Bank"),
                      ('deposits', "Offset from Deposits"), ('guarantor', "Recovered from Guarantor"),
                      ('topup', "Cleared by a Top-up")]

# sacco_loan_repay_push (docs/api.md): a JSON number, never a string, for the amount
REPAY_PUSH_SCHEMA = schema.Object({
    'loan': schema.String(max_length=32, upper=True),
    'amount': schema.Amount(minimum=Decimal('0.01'), accept_strings=False),
    'phone': schema.String(max_length=20, pattern=r'\+?[\d ]+', accept_numbers=False, required=False),
})
