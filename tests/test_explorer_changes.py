"""The Changes view on the sample estate's two quarters (sample_estate/quarters.py),
driven by AppTest: the same rows and totals as ``nhigraph diff``, worked out from the
planted drift D1-D3."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import sample_estate
from graph.embedded import EmbeddedStore
from sample_estate.quarters import D1_SECRET, D3_GRANT, save_quarters

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def quarters_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("explorer-quarters") / "store"
    save_quarters(sample_estate.load(EmbeddedStore(path)))
    return path


@pytest.fixture
def changes(quarters_dir, monkeypatch):
    monkeypatch.setenv("NHIGRAPH_STORE", str(quarters_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("explorer/views/changes.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_changes_between_the_two_quarters(changes):
    at = changes
    assert at.title[0].value == "Changes"
    assert [at.selectbox(key="changes-from").value, at.selectbox(key="changes-to").value] == [
        "sample-last-quarter", "sample-this-quarter"]
    m = {x.label: x for x in at.metric}
    # 120 -> 128 crown-jewel paths: D1 (+4 to Stripe) and D2 (+6 on the deploy chain)
    # gained 10, D3 lost 2 (legacy-etl and its key to the billing database).
    assert (m["Crown-jewel paths"].value, m["Crown-jewel paths"].delta) == ("128", "8")
    frame = at.dataframe[0].value
    gained = frame[frame["change"] == "jewel-path-gained"]
    lost = frame[frame["change"] == "jewel-path-lost"]
    assert len(gained) == 10 and D1_SECRET in set(gained["subject"])
    assert set(lost["subject"]) == {D3_GRANT[0], "secret:aws:AKIAACMELEGACYETL001"}
    assert set(frame[frame["change"] == "node-added"]["subject"]) == {D1_SECRET}
    opened = frame[frame["change"] == "finding-opened"]["subject"]
    assert all(":" in s and s.split(":")[0] in set(frame["rule"].dropna()) for s in opened)


def test_changes_filter_by_kind(changes):
    at = changes
    at.multiselect(key="changes-kinds").set_value(["jewel-path-lost"]).run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert frame["change"].tolist() == ["jewel-path-lost", "jewel-path-lost"]
    assert set(frame["target"]) == {D3_GRANT[2]}


def test_same_from_and_to_is_no_change(changes):
    at = changes
    at.selectbox(key="changes-to").set_value("sample-last-quarter").run()
    assert not at.exception
    assert {x.label: x.value for x in at.metric}["Changes"] == "0"
    assert at.dataframe[0].value.empty
