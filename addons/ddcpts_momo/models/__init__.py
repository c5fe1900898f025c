from . import account_move
from . import ddcpts_payout
from . import payment_provider
from . import payment_transaction
