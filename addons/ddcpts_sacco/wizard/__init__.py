from . import ddcpts_sacco_receipt
from . import ddcpts_sacco_statement
from . import ddcpts_sacco_withdrawal
from . import ddcpts_sacco_share_transfer
