"""The classifier that learns: a linear model over n-grams, the lexicon and spam signals.

The model is a multinomial logistic regression (fitted with scikit-learn, see
:mod:`.training`) over

- TF-IDF weights of word unigrams and bigrams and of character 3–5-grams inside words,
  all taken from the *folded* text, so a comment typed without diacritics gets exactly
  the same features and the same score;
- the lexicon's evidence (:class:`.classifiers.LexiconClassifier`'s relevant, off-topic
  and spam word lists) and the spam signals read on the raw text (:mod:`.spam`).

The campaign's context (distinctive procedure words, officers' full names) is added to
the relevance logit at prediction time (``CONTEXT_WEIGHT``): the corpus has no campaigns,
so the model cannot learn it.

A fitted model is a compressed ``.npz`` file of plain arrays (vocabulary, idf,
coefficients, and a JSON header with its calibrated auto-accept threshold and figures),
loaded with ``allow_pickle=False``: a model file is data, never code. Prediction needs
only numpy and a dictionary look-up per n-gram (well under a millisecond); scikit-learn
is needed to fit, not to predict.
"""

import functools
import json
import math
import os
import threading
from collections import Counter
from pathlib import Path

import numpy as np

from .classifiers import (
    OFF_TOPIC,
    RELEVANT,
    SPAM,
    BaseCommentClassifier,
    Classification,
    ClassifierContext,
    LexiconClassifier,
    fold_for_classifier,
)
from .spam import SIGNALS, spam_signals

FEATURE_VERSION = 1
CLASSES = (RELEVANT, OFF_TOPIC, SPAM)
PACKAGED_MODEL = Path(__file__).resolve().parent / "model" / "comment_model.npz"
DENSE_FEATURES = ("lexicon:relevant", "lexicon:off_topic", "lexicon:spam") + tuple(
    f"signal:{name}" for name in SIGNALS)
CHAR_NGRAMS = (3, 4, 5)
# Below this many words (and without a spam signal) a suggestion is never confident.
SURE_FROM_WORDS = 4
SHORT_TEXT_CONFIDENCE = 0.5

_lexicon = LexiconClassifier()

# Function words: they carry weight in the model but tell a moderator nothing.
FUNCTION_WORDS = frozenset(
    "a ai anh bi cac cai chi cho co cua da dang de den di duoc gi ha hay khi khong la lai"
    " lam ma may minh mot nay nen nha nhe nhu nhung o oi qua ra rang rat roi sau se sao"
    " tai the thi toi tu va vao ve voi vi vay van vua xong ko k dc j r m t".split())


def _saturate(evidence):
    return 0.0 if evidence <= 0 else 1 - math.exp(-evidence)


class Analysis:
    """Everything the model reads in one comment, computed once."""

    __slots__ = ("folded", "words", "grams", "dense", "lexicon_terms", "signals", "vector")

    def __init__(self, text):
        text = text or ""
        self.folded = fold_for_classifier(text)
        self.words = self.folded.split()
        self.grams = sparse_features(self.words)
        self.vector = None  # (model, indices, values), set by CommentModel.vectorise
        relevant, relevant_terms = _lexicon._match_lexicon(self.folded, _lexicon.terms,
                                                           "lexicon")
        off_topic, off_terms = _lexicon._match_lexicon(self.folded, _lexicon.off_topic_terms,
                                                       "off_topic")
        spam, spam_terms = _lexicon._match_lexicon(self.folded, _lexicon.spam_terms, "spam")
        self.signals = spam_signals(text, self.folded)
        self.lexicon_terms = {RELEVANT: relevant_terms, OFF_TOPIC: off_terms,
                              SPAM: spam_terms}
        self.dense = np.array(
            [_saturate(relevant), _saturate(off_topic), _saturate(spam)]
            + [self.signals.get(name, 0.0) for name in SIGNALS], dtype=np.float64)


def sparse_features(words):
    """The n-grams of a folded comment: ``w:`` words, ``b:`` word pairs, ``c:`` character
    3–5-grams of each word padded with spaces (so "ho" at a word's start differs from
    "ho" inside it)."""
    grams = [f"w:{word}" for word in words]
    grams += [f"b:{first} {second}" for first, second in zip(words, words[1:], strict=False)]
    for word in words:
        padded = f" {word} "
        for n in CHAR_NGRAMS:
            grams += [f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1)]
    return grams


class CommentModel:
    """A fitted model: vocabulary with idf and per-class coefficients, plus its header."""

    def __init__(self, vocabulary, idf, coef, dense_coef, intercept, meta):
        self.vocabulary = list(vocabulary)
        self.index = {term: i for i, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)  # (n_terms, n_classes)
        self.dense_coef = np.asarray(dense_coef, dtype=np.float64)  # (n_dense, n_classes)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.meta = dict(meta)

    @property
    def auto_accept_threshold(self):
        return self.meta.get("auto_accept_threshold")

    # --- storage -------------------------------------------------------------------
    def save(self, path):
        """Write the model as a compressed ``.npz`` of plain arrays (no pickle)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            np.savez_compressed(
                handle,
                vocabulary=np.frombuffer("\n".join(self.vocabulary).encode("utf-8"),
                                         dtype=np.uint8),
                idf=self.idf.astype(np.float32),
                coef=self.coef.astype(np.float16),
                dense_coef=self.dense_coef.astype(np.float32),
                intercept=self.intercept.astype(np.float32),
                meta=np.frombuffer(json.dumps(self.meta, ensure_ascii=False).encode("utf-8"),
                                   dtype=np.uint8),
            )

    @classmethod
    def load(cls, path):
        with np.load(path, allow_pickle=False) as data:
            vocabulary = data["vocabulary"].tobytes().decode("utf-8").split("\n")
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
            if meta.get("feature_version") != FEATURE_VERSION:
                raise ValueError(f"{path}: model built for other features "
                                 f"(version {meta.get('feature_version')})")
            return cls(vocabulary, data["idf"], data["coef"], data["dense_coef"],
                       data["intercept"], meta)

    # --- prediction ----------------------------------------------------------------
    def vectorise(self, analysis):
        """``(indices, values)`` of the TF-IDF vector (sublinear tf, l2 norm), as
        scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` computes it."""
        if analysis.vector is not None and analysis.vector[0] is self:
            return analysis.vector[1:]
        index = self.index
        counts = Counter(gram for gram in analysis.grams if gram in index)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        indices = np.fromiter((self.index[gram] for gram in counts), dtype=np.int64,
                              count=len(counts))
        values = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64,
                                         count=len(counts)))) * self.idf[indices]
        values /= np.linalg.norm(values)
        analysis.vector = (self, indices, values)
        return indices, values

    def logits(self, analysis):
        indices, values = self.vectorise(analysis)
        return self.intercept + values @ self.coef[indices] + analysis.dense @ self.dense_coef

    def contributions(self, analysis, klass):
        """Each word's, pair's and lexicon's push toward class ``klass`` (against the mean
        of the classes), largest first: the words that decided."""
        k = CLASSES.index(klass)
        indices, values = self.vectorise(analysis)
        coef = self.coef[indices]
        pushes_k = values * (coef[:, k] - coef.mean(axis=1))
        by_gram = {self.vocabulary[i]: push for i, push in zip(indices.tolist(),
                                                                pushes_k.tolist(), strict=True)}
        occurrences = Counter(analysis.grams)
        pushes = Counter()
        for word in dict.fromkeys(analysis.words):
            padded = f" {word} "
            share = by_gram.get(f"w:{word}", 0.0) / occurrences[f"w:{word}"]
            for n in CHAR_NGRAMS:
                for i in range(len(padded) - n + 1):
                    gram = f"c:{padded[i:i + n]}"
                    share += by_gram.get(gram, 0.0) / occurrences[gram]
            pushes[word] += share * analysis.words.count(word)
        for gram, push in by_gram.items():
            if gram.startswith("b:"):
                pushes[gram[2:]] += push
        dense_centred = self.dense_coef - self.dense_coef.mean(axis=1, keepdims=True)
        dense = dict(zip(DENSE_FEATURES, analysis.dense * dense_centred[:, k], strict=True))
        return pushes, dense


class LearnedClassifier(BaseCommentClassifier):
    """The trained model, with the lexicon and the campaign's context.

    OPTIONS (all optional): ``MODEL`` a path to a model file (default: the newest model
    retrained for this site, see :mod:`.training`, else the one shipped in the package);
    ``MODEL_DIR`` where retrained models are kept (default ``MEDIA_ROOT/
    wagtail_satisfaction/classifier``); ``CONTEXT_WEIGHT`` (default 1.0) added to the
    relevance logit per procedure, field or officer of the campaign named in the
    comment (at most two); ``SIGNAL_WEIGHT`` (default 1.0) added to the spam logit per
    unit of spam signal read before folding (:mod:`.spam`); ``TERMS_SHOWN`` (default 6)
    how many deciding words to return.
    """

    def __init__(self, options=None):
        super().__init__(options)
        self.context_weight = float(self.options.get("CONTEXT_WEIGHT", 1.0))
        self.signal_weight = float(self.options.get("SIGNAL_WEIGHT", 1.0))
        self.terms_shown = int(self.options.get("TERMS_SHOWN", 6))
        self._model = self.options.get("_MODEL_OBJECT")

    @property
    def model(self):
        """The model in use, resolved once per classifier (one is made per comment or
        per batch) and read from disk once per process."""
        if self._model is None:
            self._model = load_model(self.model_path())
        return self._model

    def model_path(self):
        if self.options.get("MODEL"):
            return Path(self.options["MODEL"])
        from .training import ModelStore

        active = ModelStore(self.options.get("MODEL_DIR")).active_path()
        return active or PACKAGED_MODEL

    @property
    def auto_accept_threshold(self):
        return self.model.auto_accept_threshold

    def probabilities(self, text, context=None):
        """``(probabilities per class, analysis, context matches)`` for ``text``."""
        context = context or ClassifierContext()
        analysis = Analysis(text)
        logits = self.model.logits(analysis)
        matches = context.matches(analysis.folded) if analysis.folded else []
        logits[0] += (self.context_weight * min(len(matches), 2)
                      - self.model.meta.get("relevant_bias", 0.0))
        # Obfuscation is rare in any corpus, so the model cannot learn every sign of it:
        # the signals read before folding also count directly toward spam.
        logits[2] += self.signal_weight * sum(analysis.signals.values())
        logits = np.exp(logits - logits.max())
        return logits / logits.sum(), analysis, matches

    def classify(self, text, context=None):
        probabilities, analysis, matches = self.probabilities(text, context)
        best = int(np.argmax(probabilities))
        state = CLASSES[best]
        confidence = float(probabilities[best])
        if len(analysis.words) < SURE_FROM_WORDS and not analysis.signals:
            # "Hồ sơ nhanh": three words are too few to be sure of anything; such a
            # comment always waits for a person.
            confidence = min(confidence, SHORT_TEXT_CONFIDENCE)
        return Classification(
            score=round(float(probabilities[0]), 4), suggested_state=state,
            confidence=round(confidence, 4),
            matched_terms=self.deciding_terms(text, analysis, state, matches))

    def deciding_terms(self, text, analysis, state, matches):
        """The words that pushed toward ``state``, as the visitor wrote them, then the
        lexicon's words, spam signals and campaign matches that did."""
        pushes, dense = self.model.contributions(analysis, state)
        written = written_forms(text)
        shown = [(word, push) for word, push in pushes.most_common()
                 if push > 0.05 and not all(w in FUNCTION_WORDS for w in word.split())]
        terms = [{"term": written.get(word, word), "kind": state, "weight": round(float(push), 3)}
                 for word, push in shown[:self.terms_shown]]
        if dense[f"lexicon:{state}"] > 0:
            terms += analysis.lexicon_terms[state]
        if state == SPAM:
            terms += [{"term": name, "kind": SPAM, "weight": weight}
                      for name, weight in analysis.signals.items()]
        if state == RELEVANT:
            terms += [{"term": term, "kind": kind, "weight": self.context_weight}
                      for term, kind, _phrase in matches]
        seen, unique = set(), []
        for term in terms:
            key = term["term"].lower()
            if key not in seen:
                seen.add(key)
                unique.append(term)
        return unique


@functools.lru_cache(maxsize=65536)
def _fold_token(token):
    return fold_for_classifier(token)


def written_forms(text):
    """``{folded word or pair: the same as written}`` to show a moderator the visitor's
    own words ("hồ sơ", not "ho so")."""
    import re

    tokens = [(_fold_token(token), token.lower()) for token in re.findall(r"\w+", text or "")]
    tokens = [(folded, token) for folded, token in tokens if folded and " " not in folded]
    forms = {}
    for (folded, token), (next_folded, next_token) in zip(tokens, tokens[1:] + [("", "")],
                                                          strict=True):
        forms.setdefault(folded, token)
        if next_folded:
            forms.setdefault(f"{folded} {next_folded}", f"{token} {next_token}")
    return forms


_cache = {}
_cache_lock = threading.Lock()


def load_model(path):
    """The model at ``path``, read once per process (again only if the file changes)."""
    path = Path(path)
    stamp = os.stat(path).st_mtime_ns
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _cache_lock:
        model = CommentModel.load(path)
        _cache[path] = (stamp, model)
    return model
