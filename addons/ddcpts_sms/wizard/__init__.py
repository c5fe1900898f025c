from . import ddcpts_sms_gateway_test
