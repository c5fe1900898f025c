"""The providers the simulator serves by default. To add one, write its module and list its class here."""

from .echo import EchoPlugin
from .daraja import DarajaPlugin
from .momo import MomoPlugin
from .etims import EtimsPlugin
from .africastalking import AfricasTalkingPlugin
from .infobip import InfobipPlugin
from .mtn_sms import MtnSmsPlugin
from .twilio import TwilioPlugin
from .ussd import UssdPlugin

PLUGINS = [
    EchoPlugin, DarajaPlugin, MomoPlugin, EtimsPlugin, AfricasTalkingPlugin, InfobipPlugin, MtnSmsPlugin, TwilioPlugin,
    UssdPlugin,
]
