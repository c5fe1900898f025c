from . import controllers, models, tools, wizard


def post_load():
    tools.sms_api.install()
