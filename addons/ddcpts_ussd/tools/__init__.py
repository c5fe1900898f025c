from . import gateway, menu
