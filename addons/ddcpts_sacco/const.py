"""Constants of the SACCO addon (see docs/sacco.md)."""

# Paybill account references: a member number, optionally followed by "-" and a product code
# (M0042, M0042-DEP, M0042-SHR). The named groups are what the matcher reads.
DEFAULT_REFERENCE_PATTERN = r'^(?P<member>M\d+)(?:[-\s]?(?P<product>[A-Z]{2,5}))?$'

PRODUCT_KINDS = [
    ('share', "Share Capital"),
    ('deposit', "Deposits (non-withdrawable)"),
    ('savings', "Savings (withdrawable)"),
]

# account type of the general-ledger account each kind of product must post to
PRODUCT_ACCOUNT_TYPES = {
    'share': ('equity',),
    'deposit': ('liability_current', 'liability_non_current'),
    'savings': ('liability_current', 'liability_non_current'),
}

MEMBER_STATES = [
    ('applicant', "Applicant"),
    ('active', "Active"),
    ('dormant', "Dormant"),
    ('exited', "Exited"),
    ('deceased', "Deceased"),
]
