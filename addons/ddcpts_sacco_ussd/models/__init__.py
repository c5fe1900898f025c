from . import ddcpts_ussd_service
from . import ddcpts_sacco_loan
