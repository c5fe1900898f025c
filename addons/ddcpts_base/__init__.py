from . import models
from . import wizard
from . import controllers
from .tools.redaction import install_callback_token_filter

# the HTTP access log writes every request path, callback URL tokens included
install_callback_token_filter()
