from . import ddcpts_ussd_pin, ddcpts_ussd_service, ddcpts_ussd_session
