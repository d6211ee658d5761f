"""Masking of personal data that visitors type into comments.

Comments are free text: people write their phone number, their CCCD/CMND number or email
so the agency can call back. Moderators without ``view_personal_data`` see them masked.
"""

import re

MASK = "•"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Runs of digits, possibly split by spaces, dots or dashes ("0912.345.678",
# "+84 912 345 678", "079 203 004 567"); only runs with 9 or more digits are masked, so
# dates, fees and dossier counts ("15 ngày", "50.000 đồng") stay readable.
_DIGIT_RUN = re.compile(r"\+?\d(?:[\s.\-]?\d){8,}")


def _mask_keep_tail(value, keep=2):
    digits_seen = 0
    total_digits = sum(ch.isdigit() for ch in value)
    out = []
    for ch in value:
        if ch.isdigit():
            digits_seen += 1
            out.append(ch if digits_seen > total_digits - keep else MASK)
        else:
            out.append(ch)
    return "".join(out)


def _mask_email(match):
    local, _, domain = match.group(0).partition("@")
    return f"{local[:1]}{MASK * 3}@{domain}"


def mask_personal_data(text):
    """Hide phone numbers, ID numbers (CCCD 12 digits, CMND 9 digits) and email addresses.

    Phone and ID numbers keep their last two digits so a moderator can still tell two
    numbers apart; emails keep their first letter and domain.
    """
    if not text:
        return text
    text = _EMAIL.sub(_mask_email, text)
    return _DIGIT_RUN.sub(lambda match: _mask_keep_tail(match.group(0)), text)


def contains_personal_data(text):
    return bool(text) and bool(_EMAIL.search(text) or _DIGIT_RUN.search(text))


def retained_comment_text(text):
    """The form of a comment's text kept after the retention period: personal data masked.

    Masking is idempotent (masking a masked text changes nothing). The integrity seal covers
    this form of the text (and a keyed digest of the full text while it still differs), so
    the purge storing it keeps every seal valid.
    """
    return mask_personal_data(text)
