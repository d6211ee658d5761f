"""Signs of spam read on the text as typed, BEFORE folding.

Folding removes exactly what gives spam away: combining marks stacked on letters to dodge
filters ("v̶a̶y̶ t̶i̶ề̶n̶" folds to "vay tien"), styled letters, links written with spaces,
phone numbers next to money words. These signals are computed on the raw text; the
classifiers add them to the evidence (and the learned model uses them as features).
"""

import re
import unicodedata
from collections import Counter

from .text import fold


def gettext_noop(message):
    """Marks signal names for translation without needing Django settings."""
    return message


SIGNAL_LINK = gettext_noop("link")
SIGNAL_REPEATED = gettext_noop("repeated characters")
SIGNAL_PHONE = gettext_noop("phone number")
SIGNAL_PHONE_MONEY = gettext_noop("phone number with money words")
SIGNAL_NO_WORDS = gettext_noop("no words")
SIGNAL_GIBBERISH = gettext_noop("gibberish")
SIGNAL_COMBINING = gettext_noop("obfuscated letters")
SIGNAL_STYLED = gettext_noop("styled letters")
SIGNAL_STUFFING = gettext_noop("keyword stuffing")
SIGNAL_SPACED = gettext_noop("spaced-out letters")

# Every signal, in a fixed order: the learned model's features follow it.
SIGNALS = (SIGNAL_LINK, SIGNAL_REPEATED, SIGNAL_PHONE, SIGNAL_PHONE_MONEY, SIGNAL_NO_WORDS,
           SIGNAL_GIBBERISH, SIGNAL_COMBINING, SIGNAL_STYLED, SIGNAL_STUFFING, SIGNAL_SPACED)

URL = re.compile(
    r"(https?://|www\.|\b[\w-]+\s?(?:\.|\[\.\]|\(\.\)|\s(?:chấm|cham|dot)\s)\s?"
    r"(?:com|net|vn|xyz|info|top|biz|me|ly|io|club|site|online|shop|bet|win|cc)\b"
    r"|\b(?:bit\.ly|t\.me|zalo\.me|fb\.com)/)",
    re.IGNORECASE)
REPEATED_CHARS = re.compile(r"(.)\1{4,}")
PHONE = re.compile(r"(?:\+84|\b0)\d(?:[\s.\-]?\d){7,9}\b")
# Money, loans and winnings: a phone number next to these is an advertisement.
MONEY = re.compile(
    r"\b(?:tien|vay|trieu|ty|lai suat|giai ngan|no xau|the chap|dao han|von"
    r"|nap tien|rut tien|hoan tien|vnd|usd|phi dich vu|bao gia|uu dai|chiet khau)\b")
# After NFC every Vietnamese letter is one precomposed character: combining marks that
# remain are strike-throughs, underlines and stacked accents.
SPACED_LETTERS = re.compile(r"(?:\b\w[\s.\-_*]){4,}\w\b")


def _combining_marks(text):
    return sum(1 for ch in unicodedata.normalize("NFC", text) if unicodedata.combining(ch))


def _styled_letters(text):
    """Mathematical, full-width or circled letters ("𝐕𝐚𝐲", "ｖａｙ") that NFKC maps to ASCII."""
    return sum(1 for ch in text
               if ord(ch) > 0x2000 and ch.isalnum() and unicodedata.normalize("NFKC", ch) != ch)


def _stuffing(words):
    """The same word or pair over and over, or a run of hashtags."""
    if len(words) < 8:
        return False
    pairs = Counter(zip(words, words[1:], strict=False))
    top_pair = max(pairs.values()) if pairs else 0
    distinct = len(set(words)) / len(words)
    # A brand name repeated through a page of search phrases ("... kuwin ... kuwin ...").
    long_words = Counter(word for word in words if len(word) >= 4 and not word.isdigit())
    top_word = max(long_words.values()) if long_words else 0
    return ((top_pair >= 3 and top_pair / len(words) >= 0.15)
            or (len(words) >= 12 and distinct < 0.45)
            or (top_word >= 3 and top_word / len(words) >= 0.1))


def spam_signals(text, folded=None):
    """``{signal: weight}`` for the spam signs of ``text`` as typed (weights 0.5–1)."""
    text = text or ""
    if folded is None:
        folded = fold(unicodedata.normalize("NFKC", text))
    found = {}
    if URL.search(text):
        found[SIGNAL_LINK] = 1.0
    squeezed = text.replace(".", "").replace(" ", "") if len(text) < 20 else text
    if REPEATED_CHARS.search(squeezed):
        found[SIGNAL_REPEATED] = 1.0
    if PHONE.search(text):
        if MONEY.search(folded):
            found[SIGNAL_PHONE_MONEY] = 1.0
        else:
            # Citizens quote hotlines too; alone a phone number is a weak sign.
            found[SIGNAL_PHONE] = 0.5
    if _combining_marks(text) >= 3:
        found[SIGNAL_COMBINING] = 1.0
    if _styled_letters(text) >= 3:
        found[SIGNAL_STYLED] = 1.0
    words = folded.split()
    if _stuffing(words) or text.count("#") >= 3:
        found[SIGNAL_STUFFING] = 1.0
    if SPACED_LETTERS.search(text):
        found[SIGNAL_SPACED] = 0.5
    # No "all capitals" signal: older people often type in capitals.
    if words and not any(set(word) & set("aeiouy") for word in words):
        found[SIGNAL_NO_WORDS] = 1.0
    elif len(words) <= 2 and any(len(word) >= 8 and not word.isdigit() for word in words):
        # Vietnamese syllables have at most 7 letters: a lone long "word" is keyboard mash.
        found[SIGNAL_GIBBERISH] = 1.0
    return found
