from . import payment_provider
from . import payment_transaction
from . import ddcpts_mpesa_request
from . import ddcpts_mpesa_balance
from . import ddcpts_payout
from . import account_move
from . import account_bank_statement_line
from . import res_partner
