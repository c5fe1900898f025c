from . import ddcpts_ussd_service
