from . import test_dialogues, test_engine, test_malformed, test_pin
