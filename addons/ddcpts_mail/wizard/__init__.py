from . import ddcpts_mail_server_preset
