"""The classifier that learns: shipped model, context matched with care, spam signals
read before folding, the evaluate/retrain/rollback commands, calibrated auto-accept."""

import io
import socket
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Site

from tests.factories import make_officer, make_procedure
from tests.moderation_factories import make_comment, make_moderator
from wagtail_satisfaction.models import ModerationSettings
from wagtail_satisfaction.moderation import learned
from wagtail_satisfaction.moderation.classifiers import (
    BaseCommentClassifier,
    Classification,
    ClassifierContext,
)
from wagtail_satisfaction.moderation.decisions import decide
from wagtail_satisfaction.moderation.learned import PACKAGED_MODEL, LearnedClassifier
from wagtail_satisfaction.moderation.spam import (
    SIGNAL_COMBINING,
    SIGNAL_LINK,
    SIGNAL_PHONE,
    SIGNAL_PHONE_MONEY,
    SIGNAL_STUFFING,
    SIGNAL_STYLED,
    spam_signals,
)
from wagtail_satisfaction.moderation.text import fold
from wagtail_satisfaction.moderation.training import (
    calibrate_threshold,
    fit,
    read_labelled,
    split,
)

SAMPLE = Path(__file__).parent / "data" / "comments_corpus_sample.tsv"

# The demo department's kind of campaign: long procedure names full of generic pairs.
DEPARTMENT = ClassifierContext(
    procedures=(
        "Cấp Giấy chứng nhận đăng ký hoạt động của tổ chức khoa học và công nghệ",
        "Cấp Giấy chứng nhận doanh nghiệp khoa học và công nghệ",
        "Kiểm tra nhà nước về chất lượng hàng hóa nhập khẩu",
        "Hỗ trợ đăng ký bảo hộ quyền sở hữu công nghiệp cho sản phẩm đặc thù của địa phương",
        "Cấp chứng chỉ nhân viên bức xạ cho người phụ trách an toàn cơ sở X-quang chẩn "
        "đoán trong y tế",
        "Cấp Giấy chứng nhận đăng ký chuyển giao công nghệ",
        "Đăng ký khai sinh",
    ),
    sectors=("Hoạt động khoa học và công nghệ", "Hộ tịch"),
    officers=("Vũ Thị Hồng Nhung", "Phạm Thị Mai Anh", "Trần Văn Phúc"),
)


def kinds(matches):
    return {kind for _term, kind, _phrase in matches}


# --- the model in the package ----------------------------------------------------------
def test_model_is_shipped_in_the_package_and_loads_offline(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the classifier must not use the network")

    monkeypatch.setattr(socket, "socket", no_network)
    learned._cache.clear()
    classifier = LearnedClassifier({"MODEL_DIR": ""})
    assert classifier.model_path() == PACKAGED_MODEL
    assert PACKAGED_MODEL.is_relative_to(Path(learned.__file__).parent)
    assert PACKAGED_MODEL.stat().st_size < 2 * 1024 * 1024
    result = classifier.classify("Hồ sơ trả đúng hẹn, cán bộ một cửa hướng dẫn tận tình.")
    assert result.suggested_state == "relevant"
    # Read once per process: the next classifier reuses the same model.
    assert LearnedClassifier({"MODEL_DIR": ""}).model is classifier.model
    assert 0.5 <= classifier.auto_accept_threshold <= 1.0


@pytest.mark.parametrize("accented, plain", [
    ("Nộp hồ sơ cấp hộ chiếu phải bốc số từ 5 giờ sáng, đến lượt thì hết giờ.",
     "nop ho so cap ho chieu phai boc so tu 5 gio sang, den luot thi het gio."),
    ("Vay tiền nhanh không thế chấp, giải ngân trong ngày, gọi 0987 654 321",
     "Vay tien nhanh khong the chap, giai ngan trong ngay, goi 0987 654 321"),
    ("Trận bóng đá tối qua hay quá", "tran bong da toi qua hay qua"),
])
def test_same_comment_without_diacritics_gets_the_same_result(accented, plain):
    classifier = LearnedClassifier({"MODEL_DIR": ""})
    a, b = classifier.classify(accented, DEPARTMENT), classifier.classify(plain, DEPARTMENT)
    assert (a.score, a.suggested_state, a.confidence) == (b.score, b.suggested_state,
                                                          b.confidence)


def test_the_words_that_decided_are_returned_as_written():
    result = LearnedClassifier({"MODEL_DIR": ""}).classify(
        "Vay tiền nhanh không thế chấp, giải ngân trong ngày, liên hệ 0987 654 321")
    assert result.suggested_state == "spam"
    terms = [m["term"] for m in result.matched_terms]
    assert "vay tiền" in terms  # the lexicon's phrase
    assert any(m["kind"] == "spam" and m["term"] == "tiền" for m in result.matched_terms)
    assert "phone number with money words" in terms


# --- context matched with care ---------------------------------------------------------
def test_generic_words_of_procedure_names_do_not_match():
    for text in ("Công nghệ thông tin bây giờ phát triển quá",
                 "Hoạt động văn nghệ của phường rất vui",
                 "Kiểm tra an toàn thực phẩm ở cơ sở kinh doanh gần nhà",
                 "Hỗ trợ tiền điện cho hộ nghèo"):
        assert DEPARTMENT.matches(fold(text)) == [], text


def test_distinctive_words_of_procedure_names_match():
    matched = DEPARTMENT.matches(fold("Chứng chỉ nhân viên bức xạ cấp chậm quá"))
    assert [term for term, kind, _phrase in matched if kind == "procedure"] == [
        "Cấp chứng chỉ nhân viên bức xạ cho người phụ trách an toàn cơ sở X-quang chẩn "
        "đoán trong y tế"]
    assert kinds(DEPARTMENT.matches(fold("làm khai sinh cho con"))) == {"procedure"}


def test_officers_match_by_full_name_only():
    # Without accents "có những" reads "cô Nhung", "có ánh" reads "cô Anh".
    for text in ("Có những hồ sơ phải đi lại ba lần", "co nhung ho so phai di lai",
                 "Có ánh sáng ở phòng chờ thì tốt", "cảm ơn cô Nhung", "anh Phúc nhiệt tình"):
        assert "officer" not in kinds(DEPARTMENT.matches(fold(text))), text
    assert kinds(DEPARTMENT.matches(fold("Cảm ơn chị Vũ Thị Hồng Nhung"))) == {"officer"}
    assert kinds(DEPARTMENT.matches(fold("cam on chi vu thi hong nhung"))) == {"officer"}


def test_campaign_context_raises_relevance_only_for_distinctive_matches():
    classifier = LearnedClassifier({"MODEL_DIR": ""})
    plain = ClassifierContext()
    named = "Chị Phạm Thị Mai Anh giải thích rõ ràng"
    assert (classifier.classify(named, DEPARTMENT).score
            > classifier.classify(named, plain).score)
    generic = "Có những công nghệ mới hỗ trợ hoạt động kiểm tra an toàn"
    assert (classifier.classify(generic, DEPARTMENT).score
            == classifier.classify(generic, plain).score)


# --- spam signals read before folding --------------------------------------------------
def test_combining_marks_are_read_before_folding():
    obfuscated = "V\u0336a\u0336y\u0336 t\u0336i\u0336ề\u0336n\u0336 nhanh"
    assert SIGNAL_COMBINING in spam_signals(obfuscated)
    # Folding cleans it into ordinary words, which carry no such signal.
    assert SIGNAL_COMBINING not in spam_signals("Vay tiền nhanh")
    # Vietnamese typed in decomposed form (some phone keyboards) is not obfuscation.
    import unicodedata

    assert SIGNAL_COMBINING not in spam_signals(
        unicodedata.normalize("NFD", "Hồ sơ được trả đúng hẹn, cán bộ tận tình"))
    classifier = LearnedClassifier({"MODEL_DIR": ""})
    assert (classifier.classify(obfuscated).matched_terms
            != classifier.classify("Vay tiền nhanh").matched_terms)
    assert classifier.classify(obfuscated).suggested_state == "spam"


def test_styled_letters_stuffing_links_and_phone_numbers():
    assert SIGNAL_STYLED in spam_signals("𝐕𝐚𝐲 𝐭𝐢𝐞̂̀𝐧 𝐧𝐡𝐚𝐧𝐡 𝐠𝐨̣𝐢 𝐧𝐠𝐚𝐲")
    stuffed = ("nhà cái uy tín nhà cái uy tín nhà cái uy tín nổ hũ nhà cái uy tín "
               "cá cược nhà cái")
    assert SIGNAL_STUFFING in spam_signals(stuffed)
    assert SIGNAL_STUFFING in spam_signals("#vaytien #giaingan #nhanhgon")
    assert SIGNAL_LINK in spam_signals("vào bongda88 . com để xem")
    assert SIGNAL_LINK in spam_signals("truy cập nhacai[.]net")
    # A hotline quoted by a citizen is a weak sign; next to money words, an advertisement.
    quoted = spam_signals("Gọi 0263 3822 111 mãi không ai nghe máy")
    assert quoted == {SIGNAL_PHONE: 0.5}
    assert SIGNAL_PHONE_MONEY in spam_signals("Hỗ trợ vay tiền, gọi 0912 345 678")
    assert spam_signals("Hồ sơ trả đúng hẹn, cán bộ lịch sự, cảm ơn.") == {}


# --- evaluation as a command -----------------------------------------------------------
def test_evaluate_prints_per_label_figures_confusion_and_the_relevant_line(tmp_path):
    path = tmp_path / "labelled.tsv"
    path.write_text(
        "label\ttext\n"
        "relevant\tHồ sơ trả đúng hẹn, cán bộ một cửa hướng dẫn tận tình.\n"
        "relevant\tNộp hồ sơ đăng ký khai sinh cho con, cán bộ tiếp nhận nhanh gọn.\n"
        "off_topic\tĐường trước nhà ngập nước mỗi khi mưa\n"
        "spam\tVay tiền nhanh không thế chấp, giải ngân trong ngày, gọi 0987 654 321\n",
        encoding="utf-8")
    out = io.StringIO()
    call_command("sort_comments", evaluate=str(path), stdout=out)
    lines = out.getvalue().rstrip("\n").splitlines()
    assert lines[0].startswith("4 comments, accuracy ")
    assert lines[1].split() == ["label", "precision", "recall", "f1", "support"]
    assert [line.split()[0] for line in lines[2:5]] == ["relevant", "off_topic", "spam"]
    assert lines[2].split()[-1] == "2"
    assert "confusion" in out.getvalue()
    assert lines[-5].split() == ["relevant", "off_topic", "spam"]
    assert [line.split() for line in lines[-4:-1]] == [
        ["relevant", "2", "0", "0"], ["off_topic", "0", "1", "0"], ["spam", "0", "0", "1"]]
    import re

    assert re.fullmatch(r"relevant: precision \d\.\d{3} recall \d\.\d{3}", lines[-1])
    assert lines[-1] == "relevant: precision 1.000 recall 1.000"


def test_evaluate_refuses_a_file_without_the_columns_or_with_unknown_labels(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("label\tcomment\nrelevant\thồ sơ\n", encoding="utf-8")
    with pytest.raises(CommandError, match="columns label and text"):
        call_command("sort_comments", evaluate=str(path), stdout=io.StringIO())
    path.write_text("label\ttext\nuseful\thồ sơ\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2: unknown label 'useful'"):
        call_command("sort_comments", evaluate=str(path), stdout=io.StringIO())


# --- retraining on the moderators' decisions -------------------------------------------
# A tourism department's comments: the corpus knows nothing of them, so the model sets
# them aside until the agency's moderators say they count.
TOURISM = [
    "Vé vào khu du lịch Hồ Tuyền Lâm tăng giá mà không báo trước",
    "Khu du lịch Hồ Tuyền Lâm thu vé gửi xe quá cao",
    "Ban quản lý khu du lịch Hồ Tuyền Lâm nên niêm yết giá vé rõ ràng",
    "Nhân viên soát vé khu du lịch Hồ Tuyền Lâm rất lịch sự",
    "Mua vé khu du lịch Hồ Tuyền Lâm online bị lỗi thanh toán",
    "Khu du lịch Hồ Tuyền Lâm đông quá, xếp hàng mua vé cả tiếng",
]
SIMILAR = "Giá vé khu du lịch Hồ Tuyền Lâm năm nay cao quá"


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path / "wagtail_satisfaction" / "classifier"


@pytest.mark.django_db
def test_retrain_learns_from_the_queue_and_rollback_returns(campaign, model_dir):
    from wagtail_satisfaction.moderation.classifiers import get_classifier

    out = io.StringIO()
    call_command("sort_comments", retrain=True, corpus=str(SAMPLE), stdout=out)
    assert "0 moderator decisions" in out.getvalue()
    before = get_classifier().classify(SIMILAR)
    assert before.suggested_state != "relevant"

    moderator = make_moderator()
    comments = [make_comment(campaign, text) for text in TOURISM]
    decide([c.pk for c in comments], "relevant", moderator)
    out = io.StringIO()
    call_command("sort_comments", retrain=True, corpus=str(SAMPLE), stdout=out)
    report = out.getvalue()
    assert "6 moderator decisions" in report
    assert "  before relevant precision" in report and "  after  relevant precision" in report
    after = get_classifier().classify(SIMILAR)
    assert after.suggested_state == "relevant"
    assert after.score > before.score
    assert len(list(model_dir.glob("model-*.npz"))) == 2

    call_command("sort_comments", rollback=True, stdout=io.StringIO())
    assert get_classifier().classify(SIMILAR).score == before.score
    call_command("sort_comments", rollback=True, stdout=io.StringIO())
    assert get_classifier().model_path() == PACKAGED_MODEL
    with pytest.raises(CommandError, match="package's model is in use"):
        call_command("sort_comments", rollback=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_automatic_decisions_are_not_training_data(campaign, model_dir):
    site = ModerationSettings.for_site(Site.objects.get(is_default_site=True))
    site.auto_accept, site.auto_accept_threshold = True, 0.5
    site.save()
    make_comment(campaign, "Hồ sơ trả đúng hẹn, cán bộ một cửa hướng dẫn tận tình.")
    out = io.StringIO()
    call_command("sort_comments", retrain=True, corpus=str(SAMPLE), stdout=out)
    assert "0 moderator decisions" in out.getvalue()


# --- auto-accept only where safe -------------------------------------------------------
def test_calibrated_threshold_keeps_automatic_decisions_97_percent_right():
    rows = read_labelled(SAMPLE)
    model = fit(rows, c_grid=(10.0,))
    test = split(rows, "test")
    threshold = calibrate_threshold(model, test)
    assert model.meta["auto_accept_threshold"] == threshold
    classifier = LearnedClassifier({"_MODEL_OBJECT": model})
    accepted = [(result.suggested_state, row["label"]) for row in test
                for result in [classifier.classify(row["text"])]
                if result.confidence >= threshold]
    assert accepted
    assert sum(s == label for s, label in accepted) / len(accepted) >= 0.97
    # Any lower threshold would accept a mistake.
    lower = [(result.suggested_state, row["label"]) for row in test
             for result in [classifier.classify(row["text"])]
             if result.confidence >= threshold - 0.05]
    assert sum(s == label for s, label in lower) / len(lower) < 1.0


class HalfSure(BaseCommentClassifier):
    auto_accept_threshold = 0.7

    def classify(self, text, context=None):
        return Classification(score=0.75, suggested_state="relevant", confidence=0.75)


@pytest.mark.django_db
@pytest.mark.usefixtures("tasks_inline")  # comments are sorted by the task worker
def test_auto_accept_uses_the_classifier_threshold_unless_the_site_sets_one(campaign,
                                                                           settings):
    settings.WAGTAIL_SATISFACTION_COMMENT_CLASSIFIER = {
        "CLASS": "tests.test_moderation_learning.HalfSure", "OPTIONS": {}}
    site = ModerationSettings.for_site(Site.objects.get(is_default_site=True))
    assert site.auto_accept_threshold is None  # the calibrated one by default
    site.auto_accept = True
    site.save()
    accepted = make_comment(campaign, "Hồ sơ nhanh")
    accepted.refresh_from_db()
    assert accepted.state == "relevant"
    site.auto_accept_threshold = 0.9
    site.save()
    waiting = make_comment(campaign, "Hồ sơ nhanh")
    waiting.refresh_from_db()
    assert waiting.state == "pending"


def test_packaged_context_matching_is_used_for_campaigns(campaign):
    make_procedure(campaign.unit, name="Cấp Giấy chứng nhận đăng ký chuyển giao công nghệ")
    make_officer(campaign.unit, name="Vũ Thị Hồng Nhung")
    context = ClassifierContext.for_campaign(campaign)

    assert context.matches(fold("co nhung cong nghe moi")) == []
    assert kinds(context.matches(fold("Đăng ký chuyển giao công nghệ mất 3 tháng"))) == {
        "procedure"}


def test_a_few_words_are_never_enough_to_decide_alone():
    classifier = LearnedClassifier({"MODEL_DIR": ""})
    for text in ("Hồ sơ nhanh", "ok", "Cảm ơn"):
        assert classifier.classify(text).confidence <= 0.5 < classifier.auto_accept_threshold
    # With a spam sign, a short text can still be sure.
    assert classifier.classify("xem tại bongda88.com").confidence > 0.5


def test_a_brand_repeated_through_search_phrases_is_stuffing():
    page = ("tra cứu mã số thuế cá nhân kuwin đăng ký khai sinh online kuwin "
            "thủ tục hành chính kuwin nạp tiền")
    assert SIGNAL_STUFFING in spam_signals(page)
    # Repeating the subject of a complaint is not.
    assert SIGNAL_STUFFING not in spam_signals(
        "Hồ sơ của tôi nộp từ tháng 3, hồ sơ bị trả lại vì thiếu giấy, nộp lại hồ sơ "
        "thì cán bộ lại hẹn thêm 10 ngày nữa mới có kết quả cho cả gia đình tôi")


def test_the_shipped_model_was_trained_on_the_shipped_corpus():
    from wagtail_satisfaction.moderation.learned import CommentModel
    from wagtail_satisfaction.moderation.training import CORPUS, corpus_digest

    # After any change to the corpus: python scripts/train_comment_classifier.py
    model = CommentModel.load(PACKAGED_MODEL)
    assert model.meta["corpus_sha256"] == corpus_digest(CORPUS)
    test = model.meta["figures"]["test"]
    assert test["relevant"]["precision"] >= 0.92
    assert test["relevant"]["recall"] >= 0.85
    assert test["spam"]["recall"] >= 0.8
