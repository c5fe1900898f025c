from . import controllers
from . import models
from . import wizard

from odoo.addons.payment import reset_payment_provider, setup_provider


def post_init_hook(env):
    setup_provider(env, 'momo')


def uninstall_hook(env):
    reset_payment_provider(env, 'momo')
