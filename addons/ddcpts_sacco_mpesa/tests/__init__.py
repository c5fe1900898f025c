from . import test_demo_paybill
