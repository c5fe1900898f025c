from . import test_ddcpts_provider
from . import test_ddcpts_event
from . import ddcpts_payout
