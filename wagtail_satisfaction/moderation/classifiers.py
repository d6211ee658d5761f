"""The automatic first sort of comments, pluggable like wagtail-localize's translators.

``WAGTAIL_SATISFACTION_COMMENT_CLASSIFIER = {"CLASS": "dotted.path", "OPTIONS": {...}}``
names a subclass of :class:`BaseCommentClassifier`; it receives ``OPTIONS`` and returns a
:class:`Classification` for a text in the context of a campaign (its procedures, fields
and officers). The default is the learned model (:class:`.learned.LearnedClassifier`),
which reads this module's lexicon as features; :class:`LexiconClassifier` alone is the
transparent fallback. Either way the moderator sees which words decided.
"""

import math
import unicodedata
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

from .context import ClassifierContext
from .spam import spam_signals
from .text import contains_phrase, fold

__all__ = ["BaseCommentClassifier", "Classification", "ClassifierContext",
           "LexiconClassifier", "get_classifier"]


RELEVANT = "relevant"
OFF_TOPIC = "off_topic"
SPAM = "spam"


@dataclass
class Classification:
    """A suggestion for one comment.

    ``score`` is the relevance to procedure handling, from 0 to 1; ``confidence`` is how
    sure the classifier is of ``suggested_state``; ``matched_terms`` lists the words that
    decided it, as ``{"term", "kind", "weight"}`` dicts (kinds: lexicon, procedure, sector,
    officer, off_topic, spam).
    """

    score: float
    suggested_state: str
    confidence: float
    matched_terms: list = field(default_factory=list)


class BaseCommentClassifier:
    """Subclass and implement :meth:`classify`; ``options`` come from the setting."""

    #: The confidence from which a suggestion may be accepted automatically, measured on
    #: held-out comments; None if the classifier does not know (the site then chooses).
    auto_accept_threshold = None

    def __init__(self, options=None):
        self.options = dict(options or {})

    def classify(self, text, context=None):  # pragma: no cover - interface
        raise NotImplementedError


# Words about handling procedures, with weights. Canonical forms are written with
# diacritics (that is what moderators read); matching is on folded text.
DEFAULT_TERMS = {
    # the dossier and the procedure
    "hồ sơ": 1.0, "thủ tục": 1.0, "giấy phép": 1.0, "giấy tờ": 0.8, "giấy chứng nhận": 1.0,
    "sổ đỏ": 1.0, "sổ hồng": 1.0, "khai sinh": 1.0, "khai tử": 1.0, "kết hôn": 0.8,
    "hộ tịch": 1.0, "chứng thực": 1.0, "sao y": 1.0, "công chứng": 0.8,
    "lý lịch tư pháp": 1.0, "hộ khẩu": 0.8, "cư trú": 0.8, "căn cước": 0.6,
    "đăng ký kinh doanh": 1.0, "hộ kinh doanh": 1.0, "cấp phép": 1.0, "cấp đổi": 1.0,
    "cấp lại": 0.8, "cấp giấy": 1.0, "trích lục": 1.0, "đo đạc": 0.8, "thẩm định": 0.8,
    "biên nhận": 1.0, "tờ khai": 0.8, "mẫu đơn": 0.6, "tạm trú": 0.8, "thường trú": 0.8,
    "bổ sung": 0.6, "nộp": 0.5, "đăng ký": 0.4, "xác nhận": 0.4,
    # deadlines and fees
    "lệ phí": 1.0, "phí": 0.4, "thời hạn": 1.0, "hẹn trả": 1.0, "trả kết quả": 1.0,
    "nhận kết quả": 1.0, "trễ hẹn": 1.0, "đúng hẹn": 1.0, "trước hẹn": 1.0, "quá hạn": 0.8,
    "giấy hẹn": 1.0, "phiếu hẹn": 1.0, "lịch hẹn": 0.6, "ngày hẹn": 1.0, "hẹn": 0.4,
    # the one-stop shop and its staff
    "một cửa": 1.0, "bộ phận tiếp nhận": 1.0, "tiếp nhận": 0.8, "cán bộ": 1.0,
    "công chức": 0.8, "chuyên viên": 0.8, "nhân viên": 0.5, "quầy": 0.8, "bấm số": 0.8,
    "lấy số": 0.8, "phòng chờ": 0.8, "hành chính công": 1.0, "dịch vụ công": 1.0,
    "trực tuyến": 0.6, "nộp online": 1.0, "cổng dịch vụ": 1.0, "tiếp dân": 0.6,
    "kiến nghị": 0.6, "phản ánh": 0.4, "giải quyết": 0.5,
    "hướng dẫn": 0.6, "phục vụ": 0.5, "thái độ": 0.6,
    # how it went
    "nhiệt tình": 0.4, "tận tình": 0.5, "chu đáo": 0.4, "lịch sự": 0.4, "hách dịch": 0.8,
    "gây khó dễ": 0.8, "nhũng nhiễu": 1.0, "bồi dưỡng": 0.5, "phiền hà": 0.6,
    "rườm rà": 0.6, "đi lại nhiều lần": 1.0, "chờ đợi": 0.4, "niêm yết": 1.0,
    "nhanh gọn": 0.4, "chậm trễ": 0.4,
    # queues, numbers, call centres
    "bốc số": 0.8, "đến lượt": 0.8, "xếp hàng": 0.5, "số thứ tự": 0.8, "tổng đài": 0.5,
    "đường dây nóng": 0.6, "hotline": 0.3,
    # passports, residence, identity online
    "hộ chiếu": 1.0, "xuất nhập cảnh": 1.0, "VNeID": 1.0, "định danh": 0.8, "OTP": 0.4,
    "mã hồ sơ": 1.0, "tra cứu": 0.5, "sổ tạm trú": 1.0,
    # brokers and bribes
    "cò": 0.5, "cò đất": 0.6, "chung chi": 1.0, "tiêu cực": 0.6, "lót tay": 1.0,
    "phong bì": 0.8, "tiền ngoài": 0.8,
    # abbreviations people use
    "TTHC": 1.0, "DVC": 1.0, "hs": 0.5, "cb": 0.5, "CCCD": 0.6, "UBND": 0.6,
}

# Matters the agency does not count: utilities, roads, neighbours, recruitment, chit-chat.
DEFAULT_OFF_TOPIC_TERMS = {
    "tiền điện": 1.0, "mất điện": 1.0, "cúp điện": 1.0, "nước sinh hoạt": 1.0,
    "mất nước": 1.0, "ngập": 0.8, "ổ gà": 1.0, "đèn đường": 1.0, "rác": 0.8,
    "karaoke": 1.0, "hàng xóm": 0.8, "tiếng ồn": 0.8, "kẹt xe": 1.0, "tắc đường": 1.0,
    "bóng đá": 1.0, "đội tuyển": 1.0, "thời tiết": 1.0, "học phí": 1.0, "bệnh viện": 0.6,
    "giá xăng": 1.0, "tuyển dụng": 1.0, "thi tuyển": 1.0, "lịch nghỉ": 1.0,
    "giao diện": 0.6, "trang web": 0.4, "website": 0.4,
    # "thủ tục" elsewhere: banks, telecoms, universities, visas abroad
    "ngân hàng": 0.8, "ATM": 1.0, "thẻ tín dụng": 1.0, "nhà mạng": 1.0, "sim": 0.6,
    "xét tuyển": 1.0, "tuyển sinh": 1.0, "đại học": 0.6, "điểm chuẩn": 1.0,
    "visa": 0.6, "đại sứ quán": 0.6, "du học": 1.0, "luật sư": 0.6,
}

DEFAULT_SPAM_TERMS = {
    "khuyến mãi": 1.0, "giảm giá": 1.0, "vay tiền": 1.0, "cho vay": 1.0, "vay vốn": 0.8,
    "không thế chấp": 1.0, "giải ngân": 1.0, "nhà cái": 1.0, "cá cược": 1.0, "casino": 1.0,
    "lô đề": 1.0, "soi cầu": 1.0, "kiếm tiền": 1.0, "việc làm thêm": 1.0, "thu nhập": 0.5,
    "inbox": 1.0, "ib": 0.6, "liên hệ ngay": 1.0, "đăng ký ngay": 1.0, "click": 1.0,
    "sale": 1.0, "miễn phí": 0.5, "giá rẻ": 1.0, "uy tín": 0.6, "bao uy tín": 1.0,
    "zalo": 0.5, "nhận làm": 1.0, "dịch vụ làm": 1.0, "bao đậu": 1.0, "bao ra": 1.0,
    "mua ngay": 1.0, "đặt hàng": 1.0, "ship": 0.8, "chuyên cung cấp": 1.0, "sim số đẹp": 1.0,
    "tặng ngay": 1.0, "follow": 1.0, "like": 0.6, "share": 0.6, "crypto": 1.0,
    "cộng tác viên": 1.0, "mã giới thiệu": 1.0, "tải app": 1.0, "thu mua": 0.8,
    "bitcoin": 1.0, "forex": 1.0, "lãi suất thấp": 1.0, "hoa hồng": 0.6,
    "làm nhanh": 0.5, "không cần chứng minh": 1.0, "nợ xấu": 1.0, "bao hồ sơ": 1.0,
    "nổ hũ": 1.0, "tài xỉu": 1.0, "game bài": 1.0, "đá gà": 1.0, "xổ số": 0.6,
    "nhận tiền": 0.6, "hoàn tiền": 0.6, "trúng thưởng": 1.0,
}

def fold_for_classifier(text):
    """:func:`.text.fold` after NFKC, so styled letters ("𝐯𝐚𝐲", "ｖａｙ") read as words."""
    return fold(unicodedata.normalize("NFKC", text or ""))


def _saturate(evidence):
    """Turn summed evidence into a 0–1 score: one strong word gives ~0.63, two ~0.86."""
    return 0.0 if evidence <= 0 else 1 - math.exp(-evidence)


def _folded_lexicon(terms):
    # Longest phrases first, so "hồ sơ" inside "bổ sung hồ sơ" is not counted twice
    # and "phí" does not count again once "lệ phí" matched.
    return sorted(((fold(term), term, float(weight)) for term, weight in terms.items()),
                  key=lambda t: -len(t[0]))


class LexiconClassifier(BaseCommentClassifier):
    """Weighted word lists on folded text, plus the campaign's own vocabulary.

    OPTIONS (all optional): ``TERMS``, ``OFF_TOPIC_TERMS``, ``SPAM_TERMS`` replace the
    default ``{word: weight}`` lists; ``EXTRA_TERMS`` (etc.) add to them;
    ``RELEVANT_THRESHOLD`` (default 0.6) is the score from which a comment is suggested
    relevant; ``SPAM_THRESHOLD`` (default 1.0) the spam evidence from which it is spam;
    ``PROCEDURE_WEIGHT``, ``SECTOR_WEIGHT``, ``OFFICER_WEIGHT`` weigh campaign matches.
    """

    def __init__(self, options=None):
        super().__init__(options)
        opts = self.options

        def lexicon(key, default):
            terms = dict(opts.get(key, default))
            terms.update(opts.get(f"EXTRA_{key}", {}))
            return _folded_lexicon(terms)

        self.terms = lexicon("TERMS", DEFAULT_TERMS)
        self.off_topic_terms = lexicon("OFF_TOPIC_TERMS", DEFAULT_OFF_TOPIC_TERMS)
        self.spam_terms = lexicon("SPAM_TERMS", DEFAULT_SPAM_TERMS)
        self.relevant_threshold = float(opts.get("RELEVANT_THRESHOLD", 0.6))
        self.spam_threshold = float(opts.get("SPAM_THRESHOLD", 1.0))
        self.procedure_weight = float(opts.get("PROCEDURE_WEIGHT", 1.0))
        self.sector_weight = float(opts.get("SECTOR_WEIGHT", 0.5))
        self.officer_weight = float(opts.get("OFFICER_WEIGHT", 1.0))

    # Each matcher returns (evidence, [matched term dicts]).
    def _match_lexicon(self, folded, lexicon, kind):
        matched = []
        covered = []
        padded = f" {folded} "  # whole-word matching, as contains_phrase does
        for folded_term, term, weight in lexicon:  # longest first
            if f" {folded_term} " in padded and not any(
                    contains_phrase(longer, folded_term) for longer in covered):
                matched.append({"term": term, "kind": kind, "weight": weight})
                covered.append(folded_term)
        return sum(m["weight"] for m in matched), matched

    def _match_context(self, folded, context):
        weights = {"procedure": self.procedure_weight, "sector": self.sector_weight,
                   "officer": self.officer_weight}
        matched = [{"term": term, "kind": kind, "weight": weights[kind]}
                   for term, kind, _phrase in context.matches(folded)]
        return sum(m["weight"] for m in matched), matched

    def _spam_signals(self, text, folded):
        signals = [{"term": name, "kind": "spam", "weight": weight}
                   for name, weight in spam_signals(text, folded).items()]
        return sum(s["weight"] for s in signals), signals

    def classify(self, text, context=None):
        context = context or ClassifierContext()
        folded = fold_for_classifier(text)
        relevant_evidence, relevant_terms = self._match_lexicon(folded, self.terms, "lexicon")
        context_evidence, context_terms = self._match_context(folded, context)
        off_evidence, off_terms = self._match_lexicon(folded, self.off_topic_terms,
                                                      "off_topic")
        spam_word_evidence, spam_terms = self._match_lexicon(folded, self.spam_terms, "spam")
        signal_evidence, signals = self._spam_signals(text or "", folded)
        spam_evidence = spam_word_evidence + signal_evidence

        score = round(_saturate(relevant_evidence + context_evidence - off_evidence), 4)
        matched = relevant_terms + context_terms + off_terms + spam_terms + signals
        if spam_evidence >= self.spam_threshold:
            state = SPAM
            confidence = _saturate(spam_evidence)
        elif score >= self.relevant_threshold:
            state = RELEVANT
            confidence = score
        else:
            state = OFF_TOPIC
            confidence = 1 - score if folded else 1.0
        return Classification(score=score, suggested_state=state,
                              confidence=round(confidence, 4), matched_terms=matched)


DEFAULT_CLASSIFIER = {
    "CLASS": "wagtail_satisfaction.moderation.learned.LearnedClassifier",
    "OPTIONS": {},
}


def get_classifier(config=None):
    """The classifier named by ``config`` or the ``COMMENT_CLASSIFIER`` setting."""
    from ..conf import get_setting

    config = config or get_setting("COMMENT_CLASSIFIER") or DEFAULT_CLASSIFIER
    classifier_class = import_string(config["CLASS"])
    return classifier_class(config.get("OPTIONS", {}))
