"""Accent- and case-insensitive form of Vietnamese text.

People type comments with or without diacritics ("hồ sơ" / "ho so"), so the classifier and
the queue's search both work on one folded form: lower case, no combining marks, đ → d,
every run of non-alphanumeric characters turned into one space.
"""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text):
    """Return ``text`` lower-cased, without diacritics, with đ → d and words space-separated.

    >>> fold("Hồ sơ ĐÃ trả  đúng hẹn!")
    'ho so da tra dung hen'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


def contains_phrase(folded_text, folded_phrase):
    """Whole-word match of an already folded phrase in already folded text."""
    return bool(folded_phrase) and f" {folded_phrase} " in f" {folded_text} "
