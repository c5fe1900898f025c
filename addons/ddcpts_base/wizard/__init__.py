from . import ddcpts_mobile_payment_request
