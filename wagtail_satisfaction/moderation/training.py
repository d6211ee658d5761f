"""Fitting, measuring and keeping the learned comment classifier (:mod:`.learned`).

- :func:`read_labelled` reads a labelled TSV (the corpus: id, split, label, source,
  text; an evaluation file needs only ``label`` and ``text``).
- :func:`fit` tunes the regularisation on the development part and fits on the training
  part (plus the agency's own decisions, weighted up), reproducibly (no randomness).
- :func:`calibrate_threshold` finds the lowest confidence at which the automatic
  decisions on the test part are at least 97 % right; it is stored with the model.
- :class:`ModelStore` keeps retrained models under ``MEDIA_ROOT`` with the previous ones,
  so a retrain can be rolled back.
"""

import csv
import hashlib
import json
import math
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .classifiers import OFF_TOPIC, RELEVANT, SPAM
from .learned import (
    CLASSES,
    DENSE_FEATURES,
    FEATURE_VERSION,
    Analysis,
    CommentModel,
    LearnedClassifier,
)

LABELS = (RELEVANT, OFF_TOPIC, SPAM)
CORPUS = Path(__file__).resolve().parent / "corpus" / "comments.tsv"
TARGET_PRECISION = 0.97
C_GRID = (1.0, 3.0, 10.0, 30.0)
# A moderator's decision weighs as much as this many corpus entries: it is the agency's
# own data, and there are few of them.
DECISION_WEIGHT = 3.0


class LabelledFileError(ValueError):
    """The labelled file cannot be read (message for the person running the command)."""


def read_labelled(path):
    """Rows (dicts with at least ``label`` and ``text``) of a labelled TSV with a header."""
    path = Path(path)
    try:
        handle = open(path, encoding="utf-8", newline="")
    except OSError as error:
        raise LabelledFileError(f"Cannot read {path}: {error.strerror}.") from error
    with handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"label", "text"} - set(reader.fieldnames or ())
        if missing:
            raise LabelledFileError(
                f"{path}: the header must name the columns label and text "
                f"(missing: {', '.join(sorted(missing))}).")
        rows = []
        for line, row in enumerate(reader, start=2):
            label = (row.get("label") or "").strip()
            if label not in LABELS:
                raise LabelledFileError(
                    f"{path}, line {line}: unknown label {label!r} "
                    f"(expected one of {', '.join(LABELS)}).")
            rows.append(dict(row, label=label, text=row.get("text") or ""))
    return rows


def split(rows, name):
    return [row for row in rows if row.get("split") == name]


def corpus_digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


# --- fitting -------------------------------------------------------------------------
def _design(texts):
    """TF-IDF matrix and dense features of ``texts`` (the vectoriser is returned to read
    its vocabulary and idf)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyses = [Analysis(text) for text in texts]
    vectoriser = TfidfVectorizer(analyzer=lambda analysis: analysis.grams, sublinear_tf=True,
                                 min_df=2, dtype=np.float64)
    sparse = vectoriser.fit_transform(analyses)
    return vectoriser, sparse, analyses


def _matrix(vectoriser, analyses):
    from scipy.sparse import csr_matrix, hstack

    dense = csr_matrix(np.vstack([a.dense for a in analyses]))
    return hstack([vectoriser.transform(analyses), dense]).tocsr()


def _fit_once(texts, labels, weights, c_value):
    from sklearn.linear_model import LogisticRegression

    vectoriser, _sparse, analyses = _design(texts)
    matrix = _matrix(vectoriser, analyses)
    regression = LogisticRegression(C=c_value, max_iter=5000, class_weight="balanced")
    regression.fit(matrix, [CLASSES.index(label) for label in labels], sample_weight=weights)
    n_terms = len(vectoriser.vocabulary_)
    vocabulary = [None] * n_terms
    for term, index in vectoriser.vocabulary_.items():
        vocabulary[index] = term
    coef = regression.coef_.T  # (features, classes)
    return CommentModel(vocabulary, vectoriser.idf_, coef[:n_terms], coef[n_terms:],
                        regression.intercept_, {"feature_version": FEATURE_VERSION,
                                                "dense_features": list(DENSE_FEATURES),
                                                "C": c_value})


def _predict(model, rows, context=None):
    classifier = LearnedClassifier({"_MODEL_OBJECT": model})
    return [classifier.probabilities(row["text"], context)[0] for row in rows]


def fit(corpus_rows, decisions=(), c_grid=C_GRID, log=None):
    """A model from the corpus's train part and ``decisions`` (label/text rows), with
    the regularisation chosen on the dev part (best macro F1), its threshold calibrated
    on the test part and its figures in ``model.meta``."""
    train, dev, test = (split(corpus_rows, name) for name in ("train", "dev", "test"))
    if not train:
        raise LabelledFileError("The corpus has no rows in the train split.")
    decisions = list(decisions)
    texts = [row["text"] for row in train] + [row["text"] for row in decisions]
    labels = [row["label"] for row in train] + [row["label"] for row in decisions]
    weights = [1.0] * len(train) + [DECISION_WEIGHT] * len(decisions)
    best = None
    for c_value in (c_grid if dev else c_grid[-1:]):
        model = _fit_once(texts, labels, weights, c_value)
        if not dev:
            best = (0.0, c_value, model)
            break
        report = evaluate_pairs(
            (row["label"], CLASSES[int(np.argmax(p))])
            for row, p in zip(dev, _predict(model, dev), strict=True))
        macro = sum(report[label]["f1"] or 0 for label in LABELS) / len(LABELS)
        if log:
            log(f"C={c_value:g}: dev macro F1 {macro:.3f}")
        if best is None or macro > best[0]:
            best = (macro, c_value, model)
    model = best[2]
    model.meta["relevant_bias"] = tune_relevant_bias(model, dev)
    model.meta.update({
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "train_rows": len(train), "decision_rows": len(decisions),
        "labels": dict(Counter(labels)),
    })
    held_out = test or dev
    model.meta["auto_accept_threshold"] = calibrate_threshold(model, held_out)
    model.meta["figures"] = {"dev": measure(model, dev), "test": measure(model, test)}
    return model


def tune_relevant_bias(model, rows, grid=tuple(b / 4 for b in range(-4, 9))):
    """The amount taken off the relevance logit that gives the best F-score on "relevant"
    with precision counted twice as much as recall (beta 0.5) on ``rows``: a comment
    wrongly counted as relevant distorts the reports, one set aside waits for a person."""
    if not rows:
        return 0.0
    raw = _predict(model, rows)
    best = (-1.0, 0.0)
    for bias in grid:
        pairs = []
        for row, probabilities in zip(rows, raw, strict=True):
            adjusted = probabilities * np.array([math.exp(-bias), 1.0, 1.0])
            pairs.append((row["label"], CLASSES[int(np.argmax(adjusted))]))
        figures = evaluate_pairs(pairs)[RELEVANT]
        precision, recall = figures["precision"], figures["recall"]
        f_half = (1.25 * precision * recall / (0.25 * precision + recall)
                  if precision + recall else 0.0)
        # Ties go to the smallest change.
        if f_half > best[0] + 1e-9 or (abs(f_half - best[0]) <= 1e-9
                                        and abs(bias) < abs(best[1])):
            best = (f_half, bias)
    return best[1]


def calibrate_threshold(model, rows, target=TARGET_PRECISION):
    """The lowest confidence from which automatic decisions on ``rows`` are at least
    ``target`` right, both overall and for "relevant" (so at most 3 in 100 accepted
    comments are wrong). 1.0 (never) if no threshold reaches it."""
    if not rows:
        return 1.0
    classifier = LearnedClassifier({"_MODEL_OBJECT": model})
    scored = []
    for row in rows:
        result = classifier.classify(row["text"])
        scored.append((result.confidence, result.suggested_state, row["label"]))
    for threshold in sorted({round(c, 3) for c, _s, _l in scored if c >= 0.5}):
        accepted = [(state, label) for conf, state, label in scored if conf >= threshold]
        relevant = [label for state, label in accepted if state == RELEVANT]
        right = sum(state == label for state, label in accepted)
        if (accepted and right / len(accepted) >= target
                and (not relevant or relevant.count(RELEVANT) / len(relevant) >= target)):
            return threshold
    return 1.0


# --- measuring -----------------------------------------------------------------------
def evaluate_pairs(pairs):
    """Per-label precision, recall, F1 and the confusion counts of (gold, predicted)."""
    pairs = list(pairs)
    report = {"n": len(pairs), "confusion": {
        gold: {pred: 0 for pred in LABELS} for gold in LABELS}}
    for gold, pred in pairs:
        report["confusion"][gold][pred] += 1
    for label in LABELS:
        tp = report["confusion"][label][label]
        predicted = sum(report["confusion"][gold][label] for gold in LABELS)
        actual = sum(report["confusion"][label].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                         "f1": round(f1, 4), "support": actual}
    report["accuracy"] = round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else 0
    return report


def measure(model, rows, context=None):
    """The figures of ``model`` on ``rows`` (empty dict without rows)."""
    if not rows:
        return {}
    return evaluate_pairs(
        (row["label"], CLASSES[int(np.argmax(p))])
        for row, p in zip(rows, _predict(model, rows, context), strict=True))


# --- keeping models ------------------------------------------------------------------
class ModelStore:
    """Retrained models of one site: ``model-<UTC time>.npz`` files and a ``current``
    file naming the active one. Older models stay, so ``rollback`` can return to the
    previous one; the package's own model is the last resort."""

    def __init__(self, directory=None):
        if directory is None:
            directory = default_model_dir()
        self.directory = Path(directory) if directory else None

    def active_path(self):
        if self.directory is None:
            return None
        try:
            name = (self.directory / "current").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        path = self.directory / name
        return path if name and path.is_file() else None

    def history(self):
        """Stored models, oldest first."""
        if self.directory is None or not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("model-*.npz"))

    def save(self, model):
        """Store ``model`` and make it the active one; returns its path."""
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"model-{stamp}.npz"
        model.save(path)
        self._activate(path.name)
        return path

    def rollback(self):
        """Make the model before the active one active again (the package's model if
        there is none); the rolled-back file is kept, renamed ``.rolled-back``. Returns
        the path now in use, or None for the package's model."""
        active = self.active_path()
        if active is None:
            return None
        older = [path for path in self.history() if path.name < active.name]
        active.rename(active.with_suffix(".npz.rolled-back"))
        if older:
            self._activate(older[-1].name)
            return older[-1]
        (self.directory / "current").unlink(missing_ok=True)
        return None

    def _activate(self, name):
        # Written then renamed, so a process reading "current" never sees half a name.
        pointer = self.directory / "current"
        partial = self.directory / "current.partial"
        partial.write_text(name + "\n", encoding="utf-8")
        os.replace(partial, pointer)


def default_model_dir():
    from django.conf import settings

    if not settings.configured or not settings.MEDIA_ROOT:
        return None
    return Path(settings.MEDIA_ROOT) / "wagtail_satisfaction" / "classifier"


def describe(model):
    """One line about a model for command output."""
    meta = model.meta
    return (f"trained {meta.get('trained_at', '?')} on {meta.get('train_rows', '?')} corpus "
            f"rows and {meta.get('decision_rows', 0)} decisions; auto-accept threshold "
            f"{meta.get('auto_accept_threshold')}")


def dumps(figures):
    return json.dumps(figures, ensure_ascii=False, indent=2)
