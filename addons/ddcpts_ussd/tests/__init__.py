from . import test_concurrency, test_dialogues, test_engine, test_malformed, test_pin, test_simulator, test_ui
