"""The automatic first sort: Vietnamese folding, scores, matched words, pluggability."""

import pytest

from wagtail_satisfaction.moderation.classifiers import (
    BaseCommentClassifier,
    Classification,
    ClassifierContext,
    LexiconClassifier,
    get_classifier,
)
from wagtail_satisfaction.moderation.privacy import mask_personal_data
from wagtail_satisfaction.moderation.text import fold

CONTEXT = ClassifierContext(
    procedures=("Đăng ký khai sinh", "Cấp giấy phép xây dựng nhà ở riêng lẻ"),
    sectors=("Hộ tịch", "Xây dựng"),
    officers=("Nguyễn Thị Lan", "Trần Văn Hùng"),
)

# The same comments as people type them: with diacritics, without, in capitals.
SAME_COMMENTS = [
    ("Cán bộ một cửa hướng dẫn tận tình, hồ sơ được trả trước hẹn.",
     "can bo mot cua huong dan tan tinh, ho so duoc tra truoc hen.",
     "CAN BO MOT CUA huong dan TAN TINH, Ho So duoc tra TRUOC HEN."),
    ("Đăng ký khai sinh cho con mất đúng 1 buổi, chị Lan rất nhiệt tình.",
     "dang ky khai sinh cho con mat dung 1 buoi, chi lan rat nhiet tinh.",
     "Dang ky khai sinh cho con mat dung 1 buoi, chi Lan rat nhiet tinh."),
    ("Đường Nguyễn Trãi ngập nước, đề nghị xử lý.",
     "duong nguyen trai ngap nuoc, de nghi xu ly.",
     "DUONG NGUYEN TRAI NGAP NUOC, DE NGHI XU LY."),
    ("Vay tiền nhanh không thế chấp, liên hệ ngay 0987 654 321.",
     "vay tien nhanh khong the chap, lien he ngay 0987 654 321.",
     "Vay Tien Nhanh Khong The Chap, Lien He Ngay 0987 654 321."),
]


def test_fold_removes_accents_case_and_handles_d_bar():
    assert fold("Đề nghị ĐƠN GIẢN hóa thủ tục!") == "de nghi don gian hoa thu tuc"
    assert fold("Hồ sơ") == fold("ho so") == fold("HO  SO")


@pytest.mark.parametrize("variants", SAME_COMMENTS)
def test_same_comment_with_and_without_diacritics_gets_same_score_and_words(variants):
    classifier = LexiconClassifier()
    results = [classifier.classify(text, CONTEXT) for text in variants]
    first = results[0]
    for other in results[1:]:
        assert other.score == first.score
        assert other.suggested_state == first.suggested_state
        assert [m["term"] for m in other.matched_terms] == [m["term"] for m in first.matched_terms]


def test_relevant_comment_names_the_words_that_decided_it():
    result = LexiconClassifier().classify("ho so tra dung hen, can bo lich su", CONTEXT)
    assert result.suggested_state == "relevant"
    assert result.score >= 0.9
    terms = {m["term"] for m in result.matched_terms}
    # Shown to moderators in their canonical written form, whatever the visitor typed.
    assert {"hồ sơ", "đúng hẹn", "cán bộ", "lịch sự"} <= terms


def test_campaign_procedures_and_officers_count():
    classifier = LexiconClassifier()
    alone = classifier.classify("Làm giấy khai sinh cho bé nhanh quá", ClassifierContext())
    with_context = classifier.classify("Làm giấy khai sinh cho bé nhanh quá", CONTEXT)
    assert with_context.score > alone.score
    officer = classifier.classify("Cảm ơn anh Trần Văn Hùng rất nhiều", CONTEXT)
    assert {"term": "Trần Văn Hùng", "kind": "officer", "weight": 1.0} in officer.matched_terms
    # A given name, even after an honorific, is an ordinary phrase once folded
    # ("hùng" = heroic, "cô Lan" / "có lan"): officers count by their full name only.
    for text in ("khí thế hùng mạnh", "Cảm ơn anh Hùng rất nhiều", "có lan can không"):
        assert not any(m["kind"] == "officer"
                       for m in classifier.classify(text, CONTEXT).matched_terms)


@pytest.mark.parametrize("text", [
    "Xem bóng đá trực tiếp tại http://bongda.xyz",
    "aaaaaaaaaaaaaa",
    "Nhận làm sổ đỏ nhanh, bao đậu, zalo 0912345678",
    "asdfghjkl",
])
def test_spam_signals(text):
    assert LexiconClassifier().classify(text, CONTEXT).suggested_state == "spam"


def test_off_topic_words_lower_the_score():
    result = LexiconClassifier().classify("Đề nghị giải quyết tình trạng ngập nước", CONTEXT)
    assert result.suggested_state == "off_topic"
    assert {"term": "ngập", "kind": "off_topic", "weight": 0.8} in result.matched_terms


def test_lexicon_is_configurable():
    classifier = LexiconClassifier({"EXTRA_TERMS": {"phúc tra": 1.5}})
    text = "xin phuc tra lai danh gia"
    assert classifier.classify(text, CONTEXT).suggested_state == "relevant"
    assert LexiconClassifier().classify(text, CONTEXT).suggested_state != "relevant"


class AlwaysSpam(BaseCommentClassifier):
    def classify(self, text, context=None):
        return Classification(score=0.0, suggested_state="spam",
                              confidence=self.options["confidence"])


def test_classifier_is_pluggable_through_the_setting(settings):
    settings.WAGTAIL_SATISFACTION_COMMENT_CLASSIFIER = {
        "CLASS": "tests.test_moderation_classifier.AlwaysSpam", "OPTIONS": {"confidence": 0.7}}
    classifier = get_classifier()
    assert isinstance(classifier, AlwaysSpam)
    assert classifier.classify("hồ sơ").confidence == 0.7


@pytest.mark.parametrize("text, expected", [
    ("Gọi tôi: 0912.345.678", "Gọi tôi: ••••.•••.•78"),
    ("SĐT +84 912 345 678 nhé", "SĐT +•• ••• ••• •78 nhé"),
    ("CCCD 079203004567", "CCCD ••••••••••67"),
    ("CMND số 025123456", "CMND số •••••••56"),
    ("email nguyen.van.a@gmail.com", "email n•••@gmail.com"),
    # Numbers people need to read stay: fees, days, dates, short codes.
    ("Lệ phí 50.000 đồng, hẹn 15 ngày, nộp 12/03/2024",
     "Lệ phí 50.000 đồng, hẹn 15 ngày, nộp 12/03/2024"),
])
def test_mask_personal_data(text, expected):
    assert mask_personal_data(text) == expected
