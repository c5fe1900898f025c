from . import test_africastalking_send, test_delivery_reports, test_failover, test_gateway, test_incoming
from . import test_concurrent_send, test_other_gateways, test_templates, test_ui
from . import test_gateway_form_tour
