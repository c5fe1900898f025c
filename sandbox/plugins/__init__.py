"""The providers the simulator serves by default. To add one, write its module and list its class here."""

from .echo import EchoPlugin

PLUGINS = [EchoPlugin]
