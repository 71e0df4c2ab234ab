"""Shared test setup: a fixed fingerprint key, and stores in temporary folders."""

from __future__ import annotations

import os

import pytest

# Fingerprints must not depend on a key file in the user's home.
os.environ.setdefault("NHIGRAPH_FINGERPRINT_KEY", "nhigraph-test-key")
os.environ.pop("NEO4J_URI", None)


@pytest.fixture
def store_dir(tmp_path):
    return tmp_path / "store"
