from . import ddcpts_mail_server_preset, ddcpts_sms_gateway_test
