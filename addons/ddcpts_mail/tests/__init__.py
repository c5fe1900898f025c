from . import test_mail_servers
