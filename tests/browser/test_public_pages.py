"""Every public page of the demo, in real Chromium, on a small phone (320 px), a common phone
(390 px) and a laptop (1366 px): no horizontal scrolling, the send button visible and not
covered, no serious or critical accessibility violation found by axe-core (bundled by
axe-playwright-python, so it runs offline), and nothing Wagtail's own checker would flag.
"""

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.test_survey_flow import snap
from wagtail_satisfaction.channels import dossiers
from wagtail_satisfaction.models import Campaign, Dossier, KioskKey, ResultsPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 390, 1366]
SIPAS_SLUG = "hai-long-2026"
AXE = Axe()

OVERFLOW = """() => {
    const width = window.innerWidth;
    const wide = [...document.querySelectorAll("body *")].filter(e => {
        const box = e.getBoundingClientRect();
        return box.width > 0 && box.right > width + 0.5;
    }).slice(0, 5).map(e => e.tagName.toLowerCase() + "." + e.className + " "
                           + Math.round(e.getBoundingClientRect().right));
    return {scrollWidth: document.documentElement.scrollWidth, width, wide};
}"""

# The element at the centre of the target, once scrolled into view: the target itself (or
# its content) when nothing covers it.
HIT = """(target) => {
    const box = target.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return {hit: hit === target || target.contains(hit),
            seen: hit ? hit.tagName.toLowerCase() + "." + hit.className : null,
            width: box.width, height: box.height};
}"""


@pytest.fixture
def public_pages(transactional_db):
    """(name, address, what to press) for every public page of the demo."""
    out = io.StringIO()
    call_command("load_initial_data", responses=30, stdout=out)
    code = re.search(r"^  (000\.\S+)  ", out.getvalue(), re.MULTILINE).group(1)
    kiosk = KioskKey.objects.get(active=True).get_absolute_url()
    results = ResultsPage.objects.live().get()  # the demo's, in the home page's menu
    submit = "button.satisfaction-submit"
    return [
        ("home page with the banner", "/", ".satisfaction-banner-link"),
        ("survey page", "/khao-sat-hai-long/", submit),
        ("campaign survey", f"/khao-sat/{SIPAS_SLUG}/", submit),
        ("survey block", "/danh-gia-giai-quyet-tthc/", ".satisfaction-block " + submit),
        ("dossier code and secret", "/khao-sat/ho-so/", submit),
        ("dossier rating", dossiers.rating_path(Dossier.objects.get(code=code)), submit),
        ("kiosk", kiosk, submit),
        ("kiosk thanks", kiosk + "cam-on/", ".kiosk-restart"),
        ("thank-you", f"/khao-sat/{SIPAS_SLUG}/cam-on/", None),
        ("results", results.url, None),
    ]


# The screenshots in docs/screenshots (written with SATISFACTION_SCREENSHOTS=1) of the main
# public pages, on a phone and a laptop: the top of each page, as a visitor first sees it.
SHOTS = {"home page with the banner": "public-home", "survey page": "public-survey",
         "survey block": "public-survey-block", "dossier code and secret": "public-dossier-codes",
         "dossier rating": "public-dossier-rating", "kiosk": "public-kiosk",
         "thank-you": "public-thanks", "results": "public-results"}
SHOT_WIDTHS = (390, 1366)


def serious_violations(page):
    results = AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


# The axe-core rules of Wagtail's own accessibility checker (wagtail.admin.userbar, its two
# custom rules aside), at every impact: an editor previewing a page with our blocks sees none.
WAGTAIL_CHECKER = ["button-name", "empty-heading", "empty-table-header", "frame-title",
                   "heading-order", "input-button-name", "link-name", "p-as-heading"]


def wagtail_checker_violations(page):
    results = AXE.run(page, options={"runOnly": WAGTAIL_CHECKER,
                                     "rules": {"p-as-heading": {"enabled": True}}})
    return [f"Wagtail's checker: {v['id']}: {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in results.response["violations"]]


def check(page, name, address, press):
    """The page's problems at the current width, as readable lines (empty: none)."""
    problems = []
    response = page.goto(address)
    if response.status != 200:
        return [f"{name}: HTTP {response.status}"]
    layout = page.evaluate(OVERFLOW)
    if layout["scrollWidth"] > layout["width"]:
        problems.append(f"{name}: {layout['scrollWidth']} px wide in {layout['width']} px: "
                        f"{layout['wide']}")
    if press:
        target = page.locator(press).last
        target.scroll_into_view_if_needed()
        hit = target.evaluate(HIT)
        if not (target.is_visible() and hit["hit"]):
            problems.append(f"{name}: {press} covered by {hit['seen']}")
        elif hit["height"] < 44:
            problems.append(f"{name}: {press} only {hit['height']} px high")
    problems += [f"{name}: {line}" for line in serious_violations(page)]
    problems += [f"{name}: {line}" for line in wagtail_checker_violations(page)]
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_every_public_page_fits_the_screen_with_its_button_free_and_no_serious_axe_violation(
        page, public_pages, width):
    page.set_viewport_size({"width": width, "height": 800 if width < 1000 else 900})
    assert set(SHOTS) <= {name for name, _address, _press in public_pages}
    problems = []
    for name, address, press in public_pages:
        problems += check(page, name, address, press)
        if name in SHOTS and width in SHOT_WIDTHS:
            page.evaluate("window.scrollTo(0, 0)")
            snap(page, f"{SHOTS[name]}-{width}.png")
    # The same pages after a refused submission: the error summary and messages shown.
    page.goto("/khao-sat-hai-long/")
    page.fill("input[name=email]", "nguoidan@")
    page.locator("button.satisfaction-submit").click()
    expect(page.locator("#satisfaction-errors")).to_be_visible()
    # (In steps the form comes back to the survey itself: its address ends in #survey-….)
    problems += check(page, "survey page with errors", page.url.split("#")[0], None)
    assert not problems, "\n".join(problems)


def options_of(page, question_name):
    return [page.locator(f"label:has(> input[name={question_name}][value='{value}'])")
            .bounding_box() for value in ("1", "2", "3", "4", "5", "na")]


def first_question(campaign):
    return f"q_{campaign.questionnaire.question_list()[0].pk}"


def test_the_scale_is_one_row_on_a_laptop_and_a_full_width_list_on_a_phone(page,
                                                                          public_pages):
    campaign = Campaign.objects.get(slug=SIPAS_SLUG)
    name = first_question(campaign)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/khao-sat-hai-long/")
    boxes = options_of(page, name)
    assert len({round(box["y"]) for box in boxes}) == 1  # "Rất hài lòng" beside "Không áp dụng"
    assert [box["x"] for box in boxes] == sorted(box["x"] for box in boxes)
    assert max(b["width"] for b in boxes) - min(b["width"] for b in boxes) < 1  # equal columns

    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/khao-sat-hai-long/")
        boxes = options_of(page, name)
        # A list: one choice per line, each as wide as the others, none beside another.
        assert len({round(box["y"]) for box in boxes}) == len(boxes)
        assert len({round(box["x"]) for box in boxes}) == 1
        assert len({round(box["width"]) for box in boxes}) == 1


def test_the_progress_counts_answered_questions_without_javascript(browser, live_server,
                                                                 public_pages):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    try:
        campaign = Campaign.objects.get(slug=SIPAS_SLUG)
        campaign.survey_layout = "one_page"  # the count of the one-page form (steps: a bar)
        campaign.save()
        questions = campaign.questionnaire.question_list()
        page.goto("/khao-sat-hai-long/")
        progress = page.locator(".satisfaction-progress")
        count = page.locator(".satisfaction-progress-count")
        expect(progress).to_contain_text(f"Đã trả lời: /{len(questions)} câu hỏi")

        def digits():
            # The count is CSS generated content, which no DOM property returns: read how
            # many digits are drawn (0-9: one, 10 and more: two) from the width they take.
            return round(count.bounding_box()["width"] / one_digit)

        one_digit = count.bounding_box()["width"]  # "0"
        assert one_digit > 0
        for question in questions[:9]:
            page.locator(f"label:has(> input[name=q_{question.pk}])").first.click()
        page.locator(f"label:has(> input[name=q_{questions[0].pk}])").last.click()  # changed
        assert digits() == 1  # 9: a changed answer is not counted twice
        page.locator(f"label:has(> input[name=q_{questions[9].pk}])").first.click()
        assert digits() == 2  # 10
        # It stays in sight at the bottom of the screen while the visitor answers.
        box = progress.bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= 844 + 1
        assert [text.strip() for text in page.locator("legend .satisfaction-part")
                .all_inner_texts()][:2] == ["Phần 1/7", "Phần 2/7"]
        snap(page, "demo-survey-phone.png")
    finally:
        context.close()


def test_kiosk_procedures_have_radios_of_one_size_and_the_restart_text_is_centred(
        page, public_pages):
    kiosk = KioskKey.objects.get(active=True).get_absolute_url()
    page.set_viewport_size({"width": 1024, "height": 1366})
    page.goto(kiosk)
    radios = page.locator(".kiosk-procedures input[type=radio]")
    sizes = {(round(box["width"]), round(box["height"]))
             for box in (radios.nth(i).bounding_box() for i in range(radios.count()))}
    assert radios.count() >= 5 and len(sizes) == 1, sizes

    page.goto(kiosk + "cam-on/")
    button = page.locator(".kiosk-restart")
    expect(button).to_have_text(re.compile("Bắt đầu lượt đánh giá mới"))
    box = button.bounding_box()
    text = button.evaluate("""(el) => { const range = document.createRange();
        range.selectNodeContents(el); const r = range.getBoundingClientRect();
        return {x: r.x, y: r.y, width: r.width, height: r.height}; }""")
    assert abs((text["y"] + text["height"] / 2) - (box["y"] + box["height"] / 2)) <= 2
    assert abs((text["x"] + text["width"] / 2) - (box["x"] + box["width"] / 2)) <= 2
