"""The report as a document to sign: the Vietnamese administrative layout (Decree 30/2020).

One description of the document (:class:`ReportDocument`: header lines and numbered
sections of paragraphs, tables and charts whose cells are already formatted strings) is
built from :func:`~.stats.build_report`'s result, the very object the report page shows,
with the page's own formatting filters; it is then written three ways: HTML (the print
view, ``document.html``), PDF (WeasyPrint from that same HTML) and DOCX (python-docx).
Nothing is recomputed here, so every figure in the document is the page's.
"""

import io
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..conf import get_setting
from ..formats import short_date
from ..moderation.privacy import mask_personal_data
from ..templatetags.satisfaction_reports import decimal, percent
from .charts import bar_chart, line_chart
from .rollup import report_zone
from .stats import build_report, share
from .targets import target_progress, target_units

FORMATS = ("docx", "pdf", "html")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
# The national title lines (Quốc hiệu and Tiêu ngữ): fixed by law, never translated.
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
WEAKEST = 5
BLANK_LINE = "." * 110


@dataclass
class Table:
    """A table of formatted cells; the first column is text, the others are figures."""

    headers: list
    rows: list
    key: str = ""


@dataclass
class Chart:
    """A chart: SVG for HTML and PDF, a PNG drawn from the same points for DOCX."""

    kind: str  # "bar" or "line"
    title: str
    points: list  # [(label, exact percent or None, n)]

    def svg(self):
        if self.kind == "bar":
            return bar_chart(self.points, self.title)
        return line_chart(self.points, self.title, caption=self.title)


@dataclass
class Block:
    kind: str  # "heading", "paragraph", "table", "chart", "lines"
    value: object


@dataclass
class Section:
    number: str
    title: str
    key: str
    blocks: list = field(default_factory=list)

    def heading(self, text):
        self.blocks.append(Block("heading", text))

    def paragraph(self, text):
        self.blocks.append(Block("paragraph", text))

    def table(self, headers, rows, key=""):
        self.blocks.append(Block("table", Table(headers, rows, key)))

    def chart(self, kind, title, points):
        if points:
            self.blocks.append(Block("chart", Chart(kind, title, points)))


@dataclass
class ReportDocument:
    governing_body: str
    issuing_agency: str
    number: str
    place_and_date: str
    title: str
    subtitle: str
    sections: list
    recipients: list
    signer: str
    report: object = None

    @property
    def filename_stem(self):
        from .exports import filter_parts

        filters = self.report.filters
        return "-".join(["bao-cao", filters.campaign.slug, *filter_parts(filters)])

    def filename(self, extension):
        return f"{self.filename_stem}.{extension}"


def _local_today():
    return timezone.now().astimezone(report_zone()).date()


def _count(value):
    return number_format(value, 0, force_grouping=True)


def _period_text(filters):
    campaign = filters.campaign
    start = filters.start or campaign.opens_on
    end = filters.end or campaign.closes_on
    return _("from %(start)s to %(end)s") % {"start": short_date(start), "end": short_date(end)}


def _comment_text(comment, personal):
    return comment.text if personal else mask_personal_data(comment.text)


def build_document(filters, *, personal=False, comparison=None, today=None):
    """The :class:`ReportDocument` of ``filters``; ``personal``: show personal data unmasked.

    ``comparison`` is the :class:`~.comparison.Comparison` with the previous period, or
    None to compute it here (it is None too when the dates are no calendar period).
    """
    from .comparison import compare_with_previous

    report = build_report(filters, comment_limit=get_setting("REPORT_COMMENT_LIMIT"))
    if comparison is None:
        comparison = compare_with_previous(filters, report)
    campaign = filters.campaign
    unit = filters.unit or campaign.unit
    today = today or _local_today()
    place = get_setting("REPORT_PLACE") or "……………"
    sections = []

    def section(title, key):
        sections.append(Section(ROMAN[len(sections)], title, key))
        return sections[-1]

    # I. Scope and method.
    scope = section(_("Scope and method"), "scope")
    scope.paragraph(_("Survey: %(campaign)s (questionnaire: %(questionnaire)s).")
                    % {"campaign": campaign, "questionnaire": campaign.questionnaire})
    scope.paragraph(_("Scope: %(scope)s.") % {"scope": filters.describe()})
    scope.paragraph(_("Period: %(period)s.") % {"period": _period_text(filters)})
    scope.paragraph(_("Valid responses: %(count)s.") % {"count": _count(report.responses)})
    channels = next((b for b in report.breakdowns if b.key == "channel"), None)
    if channels and channels.rows:
        scope.heading(_("Channels"))
        scope.table([_("Channel"), _("Responses"), _("Share of responses")],
                    [[row.label, _count(row.responses), percent(share(row.responses,
                                                                      report.responses))]
                     for row in channels.rows], key="channels")
    lines = target_progress(campaign, units=target_units(filters), filters=filters)
    scope.heading(_("Targets"))
    if lines and lines[0].checks():
        scope.table(
            [_("Unit"), _("Round"), _("Responses"), _("% of dossiers"),
             _("% of forms returned"), _("Status")],
            [[str(line.unit), line.period or _("Whole campaign"),
              _count(line.responses) + (f" / {_count(line.target_responses)}"
                                        if line.target_responses is not None else ""),
              percent(line.dossier_share), percent(line.return_rate),
              _("met") if line.met else _("not yet: %(unmet)s") % {
                  "unmet": "; ".join(line.shortfalls())}] for line in lines], key="targets")
    else:
        scope.paragraph(_("This campaign sets no minimum targets."))

    # II. Results.
    results = section(_("Results"), "results")
    if not report.responses:
        results.paragraph(_("No response matches these filters."))
    if report.factors:
        results.paragraph(_("Overall index: %(value)s.") % {"value": percent(report.overall_index)})
    if report.indicators:
        results.paragraph(_("TTHC points: %(total)s out of %(maximum)s (%(band)s).") % {
            "total": decimal(report.tthc_total), "maximum": report.tthc_maximum,
            "band": report.tthc_band or "–"})
    results.paragraph(_("Decision 766 ratio: %(value)s (%(dissatisfied)s dissatisfied of "
                        "%(base)s %(what)s).") % {
        "value": percent(report.d766_ratio),
        "dissatisfied": _count(report.totals.dissatisfied if report.totals else 0),
        "base": _count(report.d766_base or 0),
        "what": _("dossiers") if report.dossiers else _("responses")})
    results.paragraph(d766_explanation())
    if report.factors:
        results.heading(_("Factor indices"))
        results.table([_("Factor"), _("Index (%)")],
                      [[f"{f.factor.code}. {f.factor.title}", percent(f.index)]
                       for f in report.factors]
                      + [[_("Overall index"), percent(report.overall_index)]], key="factors")
    rated = [q for q in report.questions if q.question.spec.satisfied_from is not None]
    if rated:
        results.heading(_("Questions"))
        results.chart("bar", _("% satisfied per question"),
                      [(f"{q.question.code}. {q.question.text}", q.percent_satisfied,
                        q.applicable) for q in rated])
        results.table([_("Question"), "N", _("% satisfied")],
                      [[f"{q.question.code}. {q.question.text}", _count(q.applicable),
                        percent(q.percent_satisfied)] for q in rated], key="questions")
    if report.indicators:
        results.heading(_("TTHC handling indicators (0–2 points)"))
        results.table([_("Indicator"), "N", _("Mean points")],
                      [[f"{q.question.code}. {q.question.text}", _count(q.applicable),
                        decimal(q.mean)] for q in report.indicators]
                      + [[_("Total"), "", "{} / {} · {}".format(
                          decimal(report.tthc_total), report.tthc_maximum,
                          report.tthc_band or "–")]], key="indicators")
    others = [q for q in report.questions if q.question.spec.satisfied_from is None
              and q not in report.indicators and q not in report.expectations]
    for q in others:
        results.heading(f"{q.question.code}. {q.question.text}")
        results.table([_("Answer"), _("Count"), _("Share")],
                      [[label, _count(count), percent(part)]
                       for label, count, part in q.distribution()], key=f"q{q.question.code}")
    if report.trend:
        results.heading(_("Trend by month"))
        results.chart("line", trend_title(report), trend_points(report))
        results.table(*trend_table(report), key="trend")
    for breakdown in report.breakdowns:
        if breakdown.key == "channel" or not breakdown.rows:
            continue
        results.heading(str(breakdown.title))
        results.table(*group_table(report, breakdown.rows), key=f"by-{breakdown.key}")

    # III. Weakest items and factor.
    weak = section(_("The weakest aspects"), "weakest")
    items = weakest_items(report)
    if items:
        weak.table([_("#"), _("Question"), "N", _("Mean points") if report.is_tthc
                    and not report.factors else _("% satisfied")],
                   [[str(i), label, _count(n), value] for i, (label, n, value)
                    in enumerate(items, 1)], key="weakest")
    else:
        weak.paragraph(_("No data."))
    factor = weakest_factor(report)
    if factor:
        weak.paragraph(_("Weakest factor: %(factor)s (%(index)s).") % {
            "factor": f"{factor.factor.code}. {factor.factor.title}",
            "index": percent(factor.index)})

    # IV. Expectations.
    if report.expectations:
        wishes = section(_("What people most want improved"), "expectations")
        wishes.table([_("#"), _("Expectation"), "N", _("Mean level (1–3)")],
                     [[str(i), q.question.text, _count(q.applicable), decimal(q.mean)]
                      for i, q in enumerate(report.expectations, 1)], key="expectations")

    # V. Change since the previous period.
    change = section(_("Change since the previous period"), "comparison")
    if comparison is None:
        change.paragraph(_("The dates are not a calendar month, quarter, half-year or year: "
                           "there is no previous period to compare with."))
    else:
        change.paragraph(_("Previous period: %(period)s (%(count)s responses).") % {
            "period": _period_text(comparison.previous.filters),
            "count": _count(comparison.previous.responses)})
        change.table(*comparison_table(comparison), key="comparison")

    # VI. Comments.
    comments = section(_("Relevant comments"), "comments")
    comments.paragraph(_("%(shown)s of %(count)s comments moderated as relevant.") % {
        "shown": len(report.comments), "count": report.comment_count})
    if report.comments:
        comments.table([_("Comment"), _("Unit"), _("Date")],
                       [[_comment_text(c, personal), str(c.response.unit),
                         short_date(c.submitted_at.astimezone(report_zone()).date())]
                        for c in report.comments], key="comments")

    # VII–VIII. Written by hand.
    causes = section(_("Causes of the weakest aspects"), "causes")
    causes.blocks.append(Block("lines", range(6)))
    remedies = section(_("Remedies and proposals"), "remedies")
    remedies.blocks.append(Block("lines", range(6)))

    governing = unit.parent.name if unit.parent_id else ""
    return ReportDocument(
        governing_body=governing.upper(),
        issuing_agency=unit.name.upper(),
        number=_("No.: …… /BC-……"),
        place_and_date=_("%(place)s, day %(day)s month %(month)s year %(year)s") % {
            "place": place, "day": f"{today.day:02d}", "month": f"{today.month:02d}",
            "year": today.year},
        title=_("REPORT"),
        subtitle=_("Results of the survey of citizens' and organisations' satisfaction: "
                   "%(scope)s") % {"scope": filters.describe()},
        sections=sections,
        recipients=[_("As above;"), _("Filed: office, ISO.")],
        signer=_("HEAD OF THE AGENCY"),
        report=report,
    )


def d766_explanation():
    """What the Decision 766 ratio counts, and why it differs from the index."""
    return _("The Decision 766 ratio counts people, not answers: it is the share of dossiers "
             "(or, without a typed-in dossier count, of responses) whose respondent was not "
             "dissatisfied with anything. One “dissatisfied” or “very dissatisfied” answer, "
             "or 0 points on one TTHC indicator, makes the whole response dissatisfied, so the "
             "ratio is usually well below the index, which averages the satisfied answers "
             "question by question.")


def trend_title(report):
    if report.factors:
        return _("Overall index by month")
    return _("Decision 766 ratio by month")


def trend_points(report):
    """The monthly points the page and the document plot: each month's overall index
    (satisfaction questionnaires) or its Decision 766 ratio (TTHC)."""
    if report.factors:
        return [(row.label, row.index, row.responses) for row in report.trend]
    return [(row.label, row.d766_ratio, row.responses) for row in report.trend]


INDENT = "\u2003"  # an em space per level of the unit tree: kept by HTML, DOCX, PDF and xlsx


def group_label(row):
    """A breakdown row's label as shown: unit rows indented by depth and marked own/with
    sub-units, the pooled officers with their number."""
    from django.utils.translation import ngettext

    label = row.label
    if row.kind == "own":
        label = _("%(unit)s (own responses)") % {"unit": label}
    elif row.kind == "tree":
        label = _("%(unit)s (with sub-units)") % {"unit": label}
    elif row.kind == "pool":
        label = ngettext("%(label)s: %(count)s officer", "%(label)s: %(count)s officers",
                         row.members) % {"label": label, "count": row.members}
    return INDENT * row.depth + label


def group_columns(report):
    """The figure columns of a breakdown, for the campaign's questionnaire: (key, header).

    Satisfaction questionnaires: each factor's index and the overall index; TTHC: the mean
    points, the band; both: the Decision 766 ratio of the group (base: its responses).
    """
    columns = [("responses", _("Responses"))]
    if report.factors:
        columns += [(f"factor:{f.factor.pk}", f.factor.code) for f in report.factors]
        columns.append(("index", _("Overall index")))
    if report.indicators:
        columns += [("points", _("Mean points")), ("band", _("Band"))]
    columns.append(("d766", _("Decision 766 ratio")))
    return columns


def group_values(report, row):
    """{column key: exact value} of one breakdown row (see :func:`group_columns`)."""
    values = {"responses": row.responses, "index": row.index, "points": row.mean_points,
              "band": row.band or "", "d766": row.d766_ratio}
    for factor in report.factors:
        values[f"factor:{factor.factor.pk}"] = row.factor_index(factor.factor)
    return values


def group_table(report, rows):
    """(headers, rows) of a breakdown or the trend, with the campaign type's columns."""
    columns = group_columns(report)
    out = []
    for row in rows:
        values = group_values(report, row)
        cells = [group_label(row)]
        for key, _header in columns:
            value = values[key]
            if key == "responses":
                cells.append(_count(value))
            elif key == "points":
                cells.append(decimal(value))
            elif key == "band":
                cells.append(value or "–")
            else:
                cells.append(percent(value))
        out.append(cells)
    return [_("Group"), *(header for _key, header in columns)], out


def trend_table(report):
    headers, rows = group_table(report, report.trend)
    return [_("Month"), *headers[1:]], rows


def weakest_items(report):
    """The five weakest items as (label, N, formatted value), lowest first.

    Satisfaction questions by % satisfied; a TTHC questionnaire by mean points.
    """
    if report.factors:
        rated = [q for f in report.factors for q in f.questions
                 if q.percent_satisfied is not None]
        rated.sort(key=lambda q: q.percent_satisfied)
        return [(f"{q.question.code}. {q.question.text}", q.applicable,
                 percent(q.percent_satisfied)) for q in rated[:WEAKEST]]
    rated = sorted((q for q in report.indicators if q.mean is not None), key=lambda q: q.mean)
    return [(f"{q.question.code}. {q.question.text}", q.applicable, decimal(q.mean))
            for q in rated[:WEAKEST]]


def weakest_factor(report):
    factors = [f for f in report.factors if f.index is not None]
    return min(factors, key=lambda f: f.index) if factors else None


def comparison_table(comparison):
    headers = [_("Item"), _("Previous period"), _("This period"), _("Change")]
    return headers, [[line.label, line.previous_text, line.current_text, line.change_text]
                     for line in comparison.lines]


def document_links(query):
    """The report page's document buttons for its filters: dicts of name, label and url."""
    base = reverse("wagtail_satisfaction_reports:document")
    filters = dict(query.items())  # a QueryDict's items() gives values, not lists
    return [{"name": fmt, "label": label, "url": f"{base}?{urlencode({**filters, 'format': fmt})}"}
            for fmt, label in (("docx", _("Report document (DOCX)")),
                               ("pdf", _("Report document (PDF)")),
                               ("html", _("Print view")))]


# Writers ---------------------------------------------------------------------------------

def _stylesheet_path():
    return finders.find("wagtail_satisfaction/css/report_document.css")


def render_html(document, stylesheet_href=None, print_view=False):
    """The print view's HTML; ``stylesheet_href`` overrides the static URL (for WeasyPrint)."""
    return render_to_string("wagtail_satisfaction/reports/document.html", {
        "document": document, "stylesheet_href": stylesheet_href, "print_view": print_view,
        "LANGUAGE_CODE": settings.LANGUAGE_CODE,
    })


def render_pdf(document):
    """PDF through WeasyPrint from the print view's HTML, with the same stylesheet."""
    from weasyprint import HTML

    path = _stylesheet_path()
    html = render_html(document, stylesheet_href=f"file://{path}")
    return HTML(string=html).write_pdf()


def render_docx(document):
    """DOCX through python-docx: the same header, sections, tables and charts (as PNG)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    def para(cell_or_doc, text, bold=False, italic=False, center=False, size=None):
        paragraph = cell_or_doc.add_paragraph()
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return paragraph

    header = doc.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    left.paragraphs[0].text = ""
    right.paragraphs[0].text = ""
    if document.governing_body:
        para(left, document.governing_body, center=True, size=12)
    para(left, document.issuing_agency, bold=True, center=True, size=12)
    para(left, document.number, center=True)
    para(right, NATIONAL_TITLE, bold=True, center=True, size=12)
    para(right, NATIONAL_MOTTO, bold=True, center=True)
    para(right, document.place_and_date, italic=True, center=True)
    para(doc, document.title, bold=True, center=True, size=14)
    para(doc, document.subtitle, bold=True, center=True)

    for part in document.sections:
        para(doc, f"{part.number}. {part.title}", bold=True)
        for block in part.blocks:
            if block.kind == "heading":
                para(doc, block.value, bold=True, italic=True)
            elif block.kind == "paragraph":
                para(doc, block.value)
            elif block.kind == "lines":
                for _line in block.value:
                    para(doc, BLANK_LINE)
            elif block.kind == "chart":
                doc.add_picture(io.BytesIO(chart_png(block.value)), width=Cm(16))
            elif block.kind == "table":
                table = block.value
                grid = doc.add_table(rows=1, cols=len(table.headers))
                grid.style = "Table Grid"
                grid.alignment = WD_TABLE_ALIGNMENT.CENTER
                for cell, text in zip(grid.rows[0].cells, table.headers, strict=True):
                    cell.text = ""
                    cell.paragraphs[0].add_run(str(text)).bold = True
                for row in table.rows:
                    cells = grid.add_row().cells
                    for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
                        cell.text = str(text)
                        if i:
                            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
                doc.add_paragraph()

    signature = doc.add_table(rows=1, cols=2)
    left, right = signature.rows[0].cells
    left.paragraphs[0].text = ""
    para(left, _("Recipients:"), bold=True, italic=True, size=12)
    for line in document.recipients:
        para(left, f"- {line}", size=11)
    right.paragraphs[0].text = ""
    para(right, document.signer, bold=True, center=True)
    para(right, _("(Signature, full name and seal)"), italic=True, center=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def chart_png(chart):
    """Draw ``chart`` as a PNG with Pillow (DOCX has no SVG): the same points and scale."""
    from PIL import Image, ImageDraw, ImageFont

    def font(size):
        for name in ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                     "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
            try:
                return ImageFont.truetype(name, size)
            except OSError:
                continue
        return ImageFont.load_default(size=size)

    small, ink = font(22), (29, 29, 29)
    points = chart.points
    if chart.kind == "bar":
        label_w, bar_w, row_h, top = 620, 820, 48, 70
        width, height = label_w + bar_w + 260, top + row_h * len(points) + 20
    else:
        label_w, top = 90, 40
        bar_w = max(140 * len(points), 600)
        width, height = label_w + bar_w + 40, 520
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 8), chart.title, fill=ink, font=font(26))
    if chart.kind == "bar":
        for p in (0, 25, 50, 75, 100):
            x = label_w + bar_w * p / 100
            draw.line([(x, top - 8), (x, height - 10)], fill=(181, 181, 181))
            draw.text((x - 16, top - 36), f"{p}%", fill=ink, font=small)
        for i, (label, value, n) in enumerate(points):
            y = top + i * row_h
            short = label if len(label) <= 44 else label[:43] + "…"
            draw.text((10, y + 10), short, fill=ink, font=small)
            length = 0 if value is None else float(value) / 100 * bar_w
            draw.rectangle([label_w, y + 8, label_w + length, y + row_h - 8],
                           fill=(46, 107, 138))
            draw.text((label_w + length + 10, y + 10),
                      f"{percent(value)} · N={n}", fill=ink, font=small)
    else:
        plot_h = height - top - 80
        step = bar_w / max(len(points), 1)

        def y_of(value):
            return top + plot_h - float(value) / 100 * plot_h

        for p in (0, 25, 50, 75, 100):
            draw.line([(label_w, y_of(p)), (label_w + bar_w, y_of(p))], fill=(181, 181, 181))
            draw.text((10, y_of(p) - 12), f"{p}%", fill=ink, font=small)
        coords = []
        for i, (label, value, _n) in enumerate(points):
            x = label_w + step * (i + 0.5)
            draw.text((x - 40, top + plot_h + 20), label, fill=ink, font=small)
            if value is not None:
                coords.append((x, y_of(value)))
                draw.ellipse([x - 7, y_of(value) - 7, x + 7, y_of(value) + 7], fill=ink)
                draw.text((x - 40, y_of(value) - 40), percent(value), fill=ink, font=small)
        if len(coords) > 1:
            draw.line(coords, fill=ink, width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def render(document, fmt):
    """The document's bytes in ``fmt`` (docx, pdf or html)."""
    if fmt == "docx":
        return render_docx(document)
    if fmt == "pdf":
        return render_pdf(document)
    if fmt == "html":
        return render_html(document).encode()
    raise ValueError(fmt)

