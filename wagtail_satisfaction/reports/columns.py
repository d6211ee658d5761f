"""The columns of the exported tables: one key, one English and one Vietnamese header each.

The export writes the header in the user's language; the import reads either language (and
nothing else), so what the product writes it always reads back: the two cannot drift apart.
English headers of the data columns are their keys (``uid``, ``unit_code``…), which scripts
reading the English export already rely on; the Vietnamese ones are words a clerk reads.
"""

import unicodedata

from django.utils.translation import get_language

UID, SUBMITTED_AT, CHANNEL, UNIT_CODE = "uid", "submitted_at", "channel", "unit_code"
PROCEDURE_CODE, OFFICER, DOSSIER_CODE, EMAIL = ("procedure_code", "officer", "dossier_code",
                                                "email")
DOSSIER_PROVEN, COMMENT, COMMENT_STATE = "dossier_proven", "comment", "comment_state"

# key: (English header, Vietnamese header)
LABELS = {
    UID: ("uid", "Mã phiếu"),
    SUBMITTED_AT: ("submitted_at", "Thời điểm gửi"),
    CHANNEL: ("channel", "Mã kênh"),
    "channel_label": ("Channel name", "Kênh"),
    UNIT_CODE: ("unit_code", "Mã đơn vị"),
    "unit_name": ("Unit", "Đơn vị"),
    PROCEDURE_CODE: ("procedure_code", "Mã thủ tục"),
    "procedure_name": ("Procedure", "Thủ tục"),
    "sector": ("Field", "Lĩnh vực"),
    OFFICER: ("officer", "Công chức"),
    DOSSIER_CODE: ("dossier_code", "Mã hồ sơ"),
    DOSSIER_PROVEN: ("dossier_proven", "Hồ sơ đã xác thực"),
    EMAIL: ("email", "Thư điện tử"),
    COMMENT: ("comment", "Ý kiến"),
    COMMENT_STATE: ("comment_state", "Trạng thái ý kiến"),
    # The comments sheet (relevant comments of the report)
    "unit": ("Unit", "Đơn vị"),
    "text": ("Comment", "Ý kiến"),
}
ANSWER_LABEL_SUFFIX = (" (label)", " (nhãn)")

# The responses sheet, in order. The import needs every REQUIRED column; the others only
# repeat a name for the reader (or are personal data, present only in personal exports).
RESPONSE_COLUMNS = [UID, SUBMITTED_AT, CHANNEL, "channel_label", UNIT_CODE, "unit_name",
                    PROCEDURE_CODE, "procedure_name", "sector", OFFICER, DOSSIER_CODE,
                    DOSSIER_PROVEN, EMAIL, COMMENT, COMMENT_STATE]
INFORMATIVE = {"channel_label", "unit_name", "procedure_name", "sector", EMAIL}
COMMENT_COLUMNS = [UID, SUBMITTED_AT, "unit", "text"]


def _vietnamese():
    return (get_language() or "").lower().startswith("vi")


def question_column(question):
    """The key (and header, in both languages) of a question's value column."""
    return f"Q{question.code}"


def answer_label_column(question):
    """The key of a question's answer-label column (the value in words)."""
    return question_column(question) + ANSWER_LABEL_SUFFIX[0]


def header(key):
    """The header of a column in the active language."""
    if key in LABELS:
        return LABELS[key][1 if _vietnamese() else 0]
    english, vietnamese = ANSWER_LABEL_SUFFIX
    if key.endswith(english):
        return key[:-len(english)] + (vietnamese if _vietnamese() else english)
    return key  # question columns: Q1, Q2… in every language


def headers_of(key):
    """Every header under which the import accepts a column: its English and Vietnamese."""
    if key in LABELS:
        return set(LABELS[key])
    english, vietnamese = ANSWER_LABEL_SUFFIX
    if key.endswith(english):
        return {key, key[:-len(english)] + vietnamese}
    return {key}


def normalise(name):
    """A header as typed: NFC (Excel on Windows may give decomposed accents), case and
    spacing ignored."""
    text = unicodedata.normalize("NFC", "" if name is None else str(name))
    return " ".join(text.split()).casefold()


def lookup(keys):
    """``{normalised header: key}`` for the given column keys, both languages."""
    return {normalise(name): key for key in keys for name in headers_of(key)}
