from . import ir_mail_server
