import os

os.environ.setdefault("NHIGRAPH_FINGERPRINT_KEY", "nhigraph-test-key")
