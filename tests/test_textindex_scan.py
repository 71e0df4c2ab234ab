"""graph.textindex's scans: ``containing`` finds the same values (and first match) by
``bytes.find`` (few matches) as by NumPy's byte comparisons (many), which is what a plain
``str.find`` on each folded value gives; ``equal`` is the values equal to the text."""

from __future__ import annotations

import random

import pytest

from graph.textindex import TextIndex, fold_all


def brute(folded, t):
    got = [(i, v.encode().find(t.encode())) for i, v in enumerate(folded)]
    return [i for i, at in got if at >= 0], [at for _, at in got if at >= 0]


@pytest.fixture(scope="module")
def index():
    rng = random.Random(7)
    words = ["stripe", "key", "node", "é", "aa", "a", "prod", "ß", "12", "3"]
    ids = [f"n{i}" for i in range(400)]
    names = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 4))) for _ in ids]
    arns = [None if i % 3 else f"arn:aws:iam::{i}:role/aa-{i}" for i in range(400)]
    return TextIndex.build(ids, {"name": names, "arn": arns})


TEXTS = ["a", "aa", "aaa", "stripe key", "é", "ss", "n1", "12", "2", "role aa", "zz",
         "node node", "k"]


@pytest.mark.parametrize("t", TEXTS)
def test_containing_both_ways(index, monkeypatch, t):
    folded = index.values(list(range(index.size)))
    rows, at = index.containing(t)
    assert (rows.tolist(), at.tolist()) == brute(folded, t)
    monkeypatch.setattr(TextIndex, "FEW_MATCHES", 0)  # NumPy's way
    rows2, at2 = index.containing(t)
    assert (rows2.tolist(), at2.tolist()) == (rows.tolist(), at.tolist())


@pytest.mark.parametrize("t", TEXTS + ["", "stripe"])
def test_equal(index, t):
    folded = index.values(list(range(index.size)))
    want = fold_all([t])[0]
    assert index.equal(want).tolist() == [i for i, v in enumerate(folded) if v == want]


def test_not_ascii(index):
    folded = index.values(list(range(index.size)))
    got = index.not_ascii.tolist()
    assert got == [i for i, v in enumerate(folded) if not v.isascii()]
    assert got  # the names hold é
