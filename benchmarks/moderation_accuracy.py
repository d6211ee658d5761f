"""Precision and recall of the comment classifier on the labelled set.

    python benchmarks/moderation_accuracy.py [--classifier dotted.path] [--show-errors dev]

Reads ``tests/data/comments_labelled.csv`` (id, text, label, note) and classifies every
comment in the context of a typical commune/department campaign (its procedures, fields
and officers, below). Figures are given for:

- ``dev``: the rows the lexicon was tuned on (id not divisible by 4);
- ``held_out``: every 4th row, never looked at while tuning (the honest figure);
- ``all`` and ``all_without_diacritics`` (the same texts with accents stripped: the
  scorer folds text, so these figures must equal ``all``).

No database is needed. Results go to ``benchmarks/results/moderation_accuracy.json``.
"""

import argparse
import csv
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wagtail_satisfaction.moderation.classifiers import (  # noqa: E402
    DEFAULT_CLASSIFIER,
    ClassifierContext,
    get_classifier,
)

DATA = ROOT / "tests" / "data" / "comments_labelled.csv"
RESULTS = ROOT / "benchmarks" / "results" / "moderation_accuracy.json"
LABELS = ("relevant", "off_topic", "spam")

# The campaign the comments are read against: what a commune or department handles.
CONTEXT = ClassifierContext(
    procedures=(
        "Đăng ký khai sinh", "Đăng ký kết hôn", "Cấp bản sao trích lục hộ tịch",
        "Chứng thực bản sao từ bản chính", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "Đăng ký biến động đất đai", "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Đăng ký thành lập hộ kinh doanh", "Cấp phiếu lý lịch tư pháp",
    ),
    sectors=("Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Kinh doanh", "Tư pháp"),
    officers=("Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thị Mai", "Phạm Minh Tuấn",
              "Võ Thị Hoa"),
)


def strip_diacritics(text):
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


def load_rows(path=DATA):
    with open(path, encoding="utf-8", newline="") as handle:
        return [dict(row, id=int(row["id"])) for row in csv.DictReader(handle)]


def split_of(row):
    return "held_out" if row["id"] % 4 == 0 else "dev"


def evaluate(pairs):
    """Per-class precision/recall/F1 and accuracy for (label, predicted) pairs."""
    pairs = list(pairs)
    report = {"n": len(pairs)}
    for label in LABELS:
        tp = sum(1 for gold, pred in pairs if gold == label and pred == label)
        predicted = sum(1 for _gold, pred in pairs if pred == label)
        actual = sum(1 for gold, _pred in pairs if gold == label)
        precision = tp / predicted if predicted else None
        recall = tp / actual if actual else None
        f1 = (2 * precision * recall / (precision + recall)
              if precision and recall else None)
        report[label] = {
            "support": actual, "predicted": predicted,
            "precision": round(precision, 4) if precision is not None else None,
            "recall": round(recall, 4) if recall is not None else None,
            "f1": round(f1, 4) if f1 is not None else None,
        }
    report["accuracy"] = round(sum(gold == pred for gold, pred in pairs) / len(pairs), 4)
    report["confusion"] = {f"{gold}->{pred}": count
                           for (gold, pred), count in sorted(Counter(pairs).items())}
    return report


def fmt(value):
    return "  –  " if value is None else f"{value:.3f}"


def print_report(name, report):
    print(f"\n{name}  (n={report['n']}, accuracy {report['accuracy']:.3f})")
    print(f"  {'class':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for label in LABELS:
        row = report[label]
        print(f"  {label:<10} {fmt(row['precision']):>9} {fmt(row['recall']):>7} "
              f"{fmt(row['f1']):>6} {row['support']:>8}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", default=DEFAULT_CLASSIFIER["CLASS"])
    parser.add_argument("--show-errors", choices=["dev", "held_out", "all"], default=None,
                        help="print misclassified rows of this split")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    classifier = get_classifier({"CLASS": args.classifier, "OPTIONS": {}})
    rows = load_rows()
    predictions = {}
    for row in rows:
        predictions[row["id"]] = classifier.classify(row["text"], CONTEXT)

    splits = {
        "dev": [r for r in rows if split_of(r) == "dev"],
        "held_out": [r for r in rows if split_of(r) == "held_out"],
        "all": rows,
        "mixed_only": [r for r in rows if r["note"] == "mixed"],
        "typed_without_diacritics": [r for r in rows if r["text"].isascii()],
    }
    results = {"classifier": args.classifier, "dataset": str(DATA.relative_to(ROOT)),
               "rows": len(rows), "labels": dict(Counter(r["label"] for r in rows)),
               "splits": {}}
    for name, subset in splits.items():
        report = evaluate((r["label"], predictions[r["id"]].suggested_state) for r in subset)
        results["splits"][name] = report
        print_report(name, report)

    stripped = evaluate(
        (r["label"], classifier.classify(strip_diacritics(r["text"]), CONTEXT).suggested_state)
        for r in rows)
    results["splits"]["all_without_diacritics"] = stripped
    print_report("all, accents stripped from every text", stripped)
    same = all(
        classifier.classify(strip_diacritics(r["text"]), CONTEXT).score
        == predictions[r["id"]].score for r in rows)
    results["same_score_without_diacritics"] = same
    print(f"\nsame score for every text with accents stripped: {same}")

    if args.show_errors:
        subset = splits[args.show_errors]
        print(f"\nerrors in {args.show_errors}:")
        for row in subset:
            result = predictions[row["id"]]
            if result.suggested_state != row["label"]:
                terms = ", ".join(m["term"] for m in result.matched_terms)
                print(f"  #{row['id']} {row['label']}->{result.suggested_state} "
                      f"{result.score:.2f} [{terms}] {row['text']}")

    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n",
                           encoding="utf-8")
        print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return results


if __name__ == "__main__":
    main()
