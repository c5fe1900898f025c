"""Constants of the SACCO USSD menu."""

MINI_STATEMENT_LINES = 5
# what a member may ask their phone to pay in one request (M-Pesa's per-transaction ceiling is higher)
PUSH_MINIMUM = 10
PUSH_MAXIMUM = 150_000
