"""The labelled corpus of comments modelled on real public sources (issue 15).

The classifier trains on the train part, is tuned on dev and measured on test, so the
file must stay well formed: one source never straddles two parts, no text twice.
"""

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest

import wagtail_satisfaction

CORPUS = Path(wagtail_satisfaction.__file__).parent / "moderation" / "corpus" / "comments.tsv"
LABELS = {"relevant", "off_topic", "spam"}
SPLITS = {"train", "dev", "test"}


@pytest.fixture(scope="module")
def rows():
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == ["id", "split", "label", "source", "text"]
        return list(reader)


def test_every_row_is_complete_and_well_labelled(rows):
    assert len(rows) >= 800
    for row in rows:
        assert None not in row, f"row {row['id']} has extra columns (a tab in its text?)"
        assert row["label"] in LABELS, row
        assert row["split"] in SPLITS, row
        assert row["source"].startswith(("http://", "https://")), row
        assert row["text"].strip() == row["text"] and row["text"], row
    assert len({row["id"] for row in rows}) == len(rows)


def test_each_source_lies_in_one_split_only(rows):
    splits_of = defaultdict(set)
    for row in rows:
        splits_of[row["source"]].add(row["split"])
    assert {source: s for source, s in splits_of.items() if len(s) > 1} == {}


def test_no_text_appears_twice(rows):
    counts = Counter(" ".join(row["text"].casefold().split()) for row in rows)
    assert [text for text, n in counts.items() if n > 1] == []


def test_every_label_is_present_in_every_split(rows):
    seen = Counter((row["split"], row["label"]) for row in rows)
    for split in SPLITS:
        for label in LABELS:
            assert seen[(split, label)] >= 20, (split, label, seen[(split, label)])


def test_the_corpus_ships_in_the_wheel():
    # setup.cfg's package_data names the corpus, so an installed wheel can train offline.
    setup_cfg = (Path(__file__).resolve().parent.parent / "setup.cfg").read_text()
    assert "moderation/corpus/*.tsv" in setup_cfg
