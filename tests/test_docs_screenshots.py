"""The screenshots in docs/screenshots are all shown by the docs, and the docs show no missing
one: a picture the browser tests no longer write is removed, not left to go stale
(docs/screenshots.md says how they are refreshed)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "screenshots"
PICTURE = re.compile(r"\]\((?:docs/)?screenshots/([\w.-]+\.png)\)")


def shown_in_docs():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return {name for page in pages for name in PICTURE.findall(page.read_text())}


def test_every_screenshot_is_shown_by_the_docs_and_every_one_shown_exists():
    on_disk = {path.name for path in FOLDER.glob("*.png")}
    shown = shown_in_docs()
    assert on_disk, "no screenshots"
    assert sorted(on_disk - shown) == [], "in docs/screenshots but shown by no page of the docs"
    assert sorted(shown - on_disk) == [], "shown by the docs but missing from docs/screenshots"
