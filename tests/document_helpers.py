"""Read the report document back (DOCX through python-docx, PDF through pypdf) and the page."""

import io
import re

import docx
import pypdf
from lxml import html as lxml_html


def docx_text_and_tables(content):
    """(paragraph texts, tables as lists of rows of cell texts) of a DOCX."""
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows]
              for table in document.tables]
    for table in document.tables:  # the header and signature blocks are tables too
        for row in table.rows:
            for cell in row.cells:
                paragraphs += [p.text for p in cell.paragraphs]
    return paragraphs, tables


def docx_row(tables, first_cell):
    """The first row of any table whose first cell is ``first_cell``."""
    for table in tables:
        for row in table:
            if row[0] == first_cell:
                return row
    raise AssertionError(f"no row {first_cell!r} in the document")


def pdf_text(content):
    """The PDF's text with its line breaks folded to spaces."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def page_figures(html):
    """What the report page shows: responses, overall index, D766 ratio, per-question %,
    per-factor index and the change column of the comparison, as displayed strings."""
    tree = lxml_html.fromstring(html)

    def strong(figure_id):
        found = tree.xpath(f'//*[@id="{figure_id}"]/strong')
        return found[0].text_content().strip() if found else None

    questions = {}
    for row in tree.xpath('//*[@id="questions"]//tr[@data-question]'):
        cells = [td.text_content().strip() for td in row.xpath("./td")]
        questions[row.get("data-question")] = cells
    factors = {}
    for row in tree.xpath('//*[@id="factors"]//tbody/tr'):
        cells = [c.text_content().strip() for c in row.xpath("./td|./th")]
        factors[cells[0]] = cells[-1]
    comparison = {}
    for row in tree.xpath('//*[@id="comparison"]//tbody/tr'):
        cells = [c.text_content().strip() for c in row.xpath("./td|./th")]
        comparison[cells[0]] = cells[1:]
    return {"responses": strong("figure-responses"), "overall": strong("figure-overall"),
            "d766": strong("figure-d766"), "tthc": strong("figure-tthc"),
            "questions": questions, "factors": factors, "comparison": comparison}
