"""Check every seal, each campaign's chain, and that the daily tallies equal the raw answers.

Works through each campaign's seals in number order, a chunk at a time (five queries per
chunk), so memory stays flat however many responses there are. Each finding is a
:class:`Problem` that names the response (id and uid) or the tally row concerned.
"""

from dataclasses import asdict, dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    Answer,
    AnswerTally,
    Campaign,
    Comment,
    EntryCorrection,
    PendingTally,
    Response,
    ResponseSeal,
    ResponseTally,
    SealChain,
    Unit,
)
from ..reports.rollup import (
    KEYED_TALLIES,
    TALLY_COLUMNS,
    answer_tally_rows,
    keeps_month_tallies,
    month_answer_rows,
    month_response_rows,
    period_columns,
    response_tally_rows,
    roll_up_pending,
)
from .keys import get_keyring
from .seal import CONTACT_FIELD, SEALED_FIELDS, content_as_sealed, link_matches

CHUNK = 2000


@dataclass
class Problem:
    """One finding; ``kind`` is one of ``Problem.KINDS``."""

    kind: str
    campaign: int
    response: int | None = None
    uid: str = ""
    seq: int | None = None
    details: dict = field(default_factory=dict)
    campaign_title: str = ""

    KINDS = ("altered", "deleted", "unsealed", "unknown_key", "chain", "head", "tally",
             "correction")

    def as_dict(self):
        return asdict(self)

    def describe(self):
        return describe(self.as_dict())


# One sentence per kind of problem; names come from the problem's fields and details.
PROBLEM_SENTENCES = {
    "altered": gettext_lazy(
        "Response #%(response)s (%(uid)s) was altered: its answers, comment or details "
        "no longer match seal no. %(seq)s."),
    "deleted": gettext_lazy(
        "Response #%(response)s (%(uid)s) was deleted: seal no. %(seq)s has no "
        "response."),
    "unsealed": gettext_lazy(
        "Response #%(response)s (%(uid)s) has no seal: it was not stored by the "
        "product."),
    "unknown_key": gettext_lazy(
        "Response #%(response)s (%(uid)s): seal no. %(seq)s uses key %(key_id)s, which "
        "is not configured."),
    "chain": gettext_lazy(
        "Campaign “%(title)s”: the chain is broken before seal no. %(seq)s (response "
        "#%(response)s); missing or changed seal no.: %(missing)s."),
    "head": gettext_lazy(
        "Campaign “%(title)s”: the chain ends at seal no. %(seq)s but its head records "
        "no. %(head_seq)s: seals were removed or the head was changed."),
    "correction": gettext_lazy(
        "Response #%(response)s (%(uid)s): correction #%(correction)s does not match the "
        "seal chain (seal no. %(seq)s): its record of the form before or after the "
        "correction was changed, or it was not made by the product."),
    "tally": gettext_lazy(
        "Campaign “%(title)s”: the %(table)s tally of %(day)s, unit %(unit)s, %(key)s "
        "says %(tally)s; the raw answers give %(raw)s."),
}


def describe(problem):
    """A sentence for one problem (a dict as stored on ``IntegrityCheck.problems``)."""
    names = {"response": problem.get("response"), "uid": problem.get("uid") or "-",
             "seq": problem.get("seq"), "campaign": problem.get("campaign"),
             "title": problem.get("campaign_title") or problem.get("campaign"),
             **problem.get("details", {})}
    sentence = PROBLEM_SENTENCES.get(problem["kind"])
    return str(sentence) % names if sentence else problem["kind"]


@dataclass
class Verification:
    """The outcome of :func:`verify`."""

    responses_checked: int = 0
    seals_checked: int = 0
    problem_count: int = 0
    problems: list = field(default_factory=list)
    heads: dict = field(default_factory=dict)

    @property
    def ok(self):
        return self.problem_count == 0


def _rows_by_response(rows):
    grouped = {}
    for response_id, question_id, value in rows:
        grouped.setdefault(response_id, []).append((question_id, value))
    return grouped


def _corrections(chunk, report, reported):
    """The corrections of the responses of a chunk of links: ``{response id: [correction,
    …]}`` in chain order, ``{correction id: correction}``, and the chunk's response ids.

    A correction without a link of its own was not made by the product (it would let an
    edit pass as corrected): it is reported once and left out, so the response is checked
    against the link before it.
    """
    ids = {seal.response_id for seal in chunk if seal.response_id is not None}
    linked = [seal.correction_id for seal in chunk if seal.correction_id is not None]
    if linked:
        ids.update(EntryCorrection.objects.filter(pk__in=linked)
                   .values_list("response_id", flat=True))
    by_response, by_id = {}, {}
    for correction in (EntryCorrection.objects.filter(response_id__in=ids)
                       .values("id", "campaign_id", "response_id", "before", "after",
                               "seal__seq").order_by("seal__seq", "id")):
        if correction["seal__seq"] is None:
            if correction["id"] not in reported:
                reported.add(correction["id"])
                report(Problem("correction", correction["campaign_id"],
                               correction["response_id"],
                               details={"correction": correction["id"]}))
            continue
        by_response.setdefault(correction["response_id"], []).append(correction)
        by_id[correction["id"]] = correction
    return by_response, by_id, ids


def _check_seals(campaign_id, keyring, report, progress):
    """Each link of the chain, in number order: the response's own seal and, for a
    corrected typed form, one link per correction. A link superseded by a correction must
    seal the correction's recorded ``before``; the last link of a response its stored rows;
    a correction's link its recorded ``after``."""
    seals = ResponseSeal.objects.filter(campaign_id=campaign_id).order_by("seq")
    last_seq, last_digest, last_response = 0, "", None
    reported = set()
    while True:
        chunk = list(seals.filter(seq__gt=last_seq)[:CHUNK])
        if not chunk:
            break
        corrections, correction_by_id, ids = _corrections(chunk, report, reported)
        responses = {row["id"]: row for row in Response.objects.filter(pk__in=ids)
                     .values(*SEALED_FIELDS, CONTACT_FIELD)}
        answers = _rows_by_response(Answer.objects.filter(response_id__in=ids)
                                    .values_list("response_id", "question_id", "value"))
        comments = dict(Comment.objects.filter(response_id__in=ids)
                        .values_list("response_id", "text"))
        for seal in chunk:
            uid = str(seal.response_uid or "")
            response_id, own = seal.response_id, None
            if seal.correction_id is not None:
                own = correction_by_id.get(seal.correction_id)
                response_id = own["response_id"] if own else None
            if seal.seq != last_seq + 1 or seal.prev_digest != last_digest:
                missing = (f"{last_seq + 1}–{seal.seq - 1}" if seal.seq > last_seq + 2
                           else str(last_seq + 1) if seal.seq == last_seq + 2
                           else str(seal.seq - 1))
                report(Problem("chain", campaign_id, response_id, uid, seal.seq,
                               {"missing": missing, "after": last_response}))
            last_seq, last_digest, last_response = seal.seq, seal.digest, response_id
            if seal.correction_id is not None and own is None:
                report(Problem("correction", campaign_id, None, uid, seal.seq,
                               {"correction": seal.correction_id}))
                continue
            key = keyring.get(seal.key_id)
            row = responses.get(response_id)
            if row is None:
                report(Problem("deleted", campaign_id, response_id, uid, seal.seq))
                continue
            if key is None:
                report(Problem("unknown_key", campaign_id, response_id, uid, seal.seq,
                               {"key_id": seal.key_id}))
                continue
            chain = corrections.get(response_id, [])
            position = chain.index(own) + 1 if own else 0
            later = chain[position] if position < len(chain) else None
            if own and not link_matches(seal, key, own["after"].encode()):
                report(Problem("correction", campaign_id, response_id, uid, seal.seq,
                               {"correction": own["id"]}))
            if later is not None:
                # Superseded: the correction recorded what this link sealed.
                if not link_matches(seal, key, later["before"].encode()):
                    report(Problem("correction", campaign_id, response_id, uid, seal.seq,
                                   {"correction": later["id"]}))
                continue
            text = comments.get(response_id)
            content = content_as_sealed(seal, key, row, answers.get(response_id, []), text)
            if not link_matches(seal, key, content) or str(row["uid"] or "") != uid:
                report(Problem("altered", campaign_id, response_id,
                               str(row["uid"] or ""), seal.seq))
        progress(len(chunk))
    head = SealChain.objects.filter(campaign_id=campaign_id).first()
    head_seq, head_digest = (head.seq, head.digest) if head else (0, "")
    if head_seq != last_seq or head_digest != last_digest:
        report(Problem("head", campaign_id, last_response, "", last_seq,
                       {"head_seq": head_seq}))
    return last_seq, last_digest


def _check_unsealed(campaign_id, report):
    unsealed = (Response.objects.filter(campaign_id=campaign_id)
                .exclude(Exists(ResponseSeal.objects.filter(response_id=OuterRef("pk"))))
                .order_by("pk").values_list("pk", "uid"))
    for pk, uid in unsealed.iterator(chunk_size=CHUNK):
        report(Problem("unsealed", campaign_id, pk, str(uid or "")))


def _show_counts(labels, values):
    return ", ".join(f"{label} {value}" for label, value in zip(labels, values, strict=True)
                     if value or label == "responses")


def _compare_tallies(campaign_id, table, labels, actual, expected, describe_key, report):
    """Report each (day, unit, key) whose stored counts differ from the recomputed ones."""
    zero = (0,) * len(labels)
    unit_names = None
    for key in sorted(set(actual) | set(expected), key=str):
        have, want = actual.get(key, zero), expected.get(key, zero)
        if have == want:
            continue
        if unit_names is None:
            unit_names = dict(Unit.objects.values_list("pk", "name"))
        day, unit, extra = key
        report(Problem("tally", campaign_id, details={
            "table": table, "day": day.strftime("%d/%m/%Y"), "unit": unit_names.get(unit, unit),
            "key": describe_key(extra), "tally": _show_counts(labels, have),
            "raw": _show_counts(labels, want)}))


RESPONSE_TALLY_COLUMNS = ["responses", "index_applicable", "index_satisfied", "points",
                          "dissatisfied"]


def _check_tallies(campaign_id, report):
    """The daily tallies (what the report reads) must equal the raw rows (what exports read).

    On PostgreSQL the queue of responses not yet rolled up is rolled up first, and the
    tallies, the queue and the raw rows are then read in one snapshot (a response is in the
    queue or in the tallies, never both), so submissions during a check cause no finding.
    """
    roll_up_pending()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        _compare_campaign_tallies(campaign_id, report)


def _compare_campaign_tallies(campaign_id, report):
    responses = Response.objects.filter(campaign_id=campaign_id).exclude(
        pk__in=PendingTally.objects.values("response_id"))
    actual = {(day, unit, channel): tuple(rest) for day, unit, channel, *rest in
              ResponseTally.objects.filter(campaign_id=campaign_id)
              .values_list("day", "unit_id", "channel", *RESPONSE_TALLY_COLUMNS)}
    expected = {(day, unit, channel): tuple(rest) for _c, day, unit, channel, *rest in
                response_tally_rows(responses)}
    _compare_tallies(campaign_id, _("responses"), RESPONSE_TALLY_COLUMNS, actual, expected,
                     lambda channel: _("channel %(channel)s") % {"channel": channel}, report)
    actual = {(day, unit, question): tuple(rest) for day, unit, question, *rest in
              AnswerTally.objects.filter(campaign_id=campaign_id)
              .values_list("day", "unit_id", "question_id", *TALLY_COLUMNS)}
    expected = {(day, unit, question): tuple(rest) for _c, day, unit, question, *rest in
                answer_tally_rows(Answer.objects.filter(response__in=responses))}
    _compare_tallies(campaign_id, _("answers"), TALLY_COLUMNS, actual, expected,
                     lambda question: _("question #%(question)s") % {"question": question},
                     report)
    if keeps_month_tallies():
        _check_month_tallies(campaign_id, report)


MONTH_TALLY_NAMES = {
    "ProcedureResponseTally": gettext_lazy("monthly responses by procedure"),
    "ProcedureAnswerTally": gettext_lazy("monthly answers by procedure"),
    "OfficerResponseTally": gettext_lazy("monthly responses by field and officer"),
    "OfficerAnswerTally": gettext_lazy("monthly answers by field and officer"),
    "ProcedureDayResponseTally": gettext_lazy("daily responses by procedure"),
    "ProcedureDayAnswerTally": gettext_lazy("daily answers by procedure"),
    "OfficerDayResponseTally": gettext_lazy("daily responses by field and officer"),
    "OfficerDayAnswerTally": gettext_lazy("daily answers by field and officer"),
    "ChannelDayAnswerTally": gettext_lazy("daily answers by channel"),
    "ProcedureOfficerResponseTally": gettext_lazy("monthly responses by procedure and officer"),
    "ProcedureOfficerAnswerTally": gettext_lazy("monthly answers by procedure and officer"),
    "ProcedureAllChannelsResponseTally": gettext_lazy(
        "monthly responses by procedure, every channel"),
    "ProcedureAllChannelsAnswerTally": gettext_lazy("monthly answers by procedure, every channel"),
    "OfficerAllChannelsResponseTally": gettext_lazy(
        "monthly responses by field and officer, every channel"),
    "OfficerAllChannelsAnswerTally": gettext_lazy(
        "monthly answers by field and officer, every channel"),
    "ChannelMonthAnswerTally": gettext_lazy("monthly answers by channel"),
    "ChannelSectorDayResponseTally": gettext_lazy("daily responses by channel and field"),
    "ChannelSectorDayAnswerTally": gettext_lazy("daily answers by channel and field"),
    "ProcedureWeekResponseTally": gettext_lazy("weekly responses by channel and procedure"),
    "ProcedureWeekAnswerTally": gettext_lazy("weekly answers by channel and procedure"),
    "OfficerWeekResponseTally": gettext_lazy(
        "weekly responses by channel, field and officer"),
    "OfficerWeekAnswerTally": gettext_lazy("weekly answers by channel, field and officer"),
}
KEY_NAMES = {"procedure_key": gettext_lazy("procedure #%(id)s"),
             "sector_key": gettext_lazy("field #%(id)s"),
             "officer_key": gettext_lazy("officer #%(id)s")}


def _check_month_tallies(campaign_id, report):
    """The keyed tallies, monthly and daily (PostgreSQL), must equal the raw rows too."""
    from django.apps import apps

    responses = Response.objects.filter(campaign_id=campaign_id)
    answers = Answer.objects.filter(response__campaign_id=campaign_id)
    for response_name, answer_name, keys, period in KEYED_TALLIES:
        names = list(keys)
        # Rows keyed (period, unit, rest): rest is the channel (monthly tallies), the extra
        # keys and the question (answer tallies).
        head = [f"{c}_id" if c == "unit" else c for c in period_columns(period)]

        def describe_key(extra, names=names, head=head):
            values = list(extra)
            parts = []
            if "channel" in head:
                parts.append(_("channel %(channel)s") % {"channel": values.pop(0)})
            parts += [str(KEY_NAMES[name]) % {"id": value}
                      for name, value in zip(names, values[:len(names)], strict=True)]
            if len(values) > len(names):
                parts.append(_("question #%(question)s") % {"question": values[-1]})
            return ", ".join(parts)

        for model_name, columns, expected_rows in (
                *([(response_name, RESPONSE_TALLY_COLUMNS,
                    month_response_rows(responses, keys, period))] if response_name else []),
                (answer_name, TALLY_COLUMNS, month_answer_rows(answers, keys, period))):
            model = apps.get_model("wagtail_satisfaction", model_name)
            extra = names + (["question_id"] if columns is TALLY_COLUMNS else [])
            width = len(head) + len(extra)
            actual = {(row[0], row[1], tuple(row[2:width])): tuple(row[width:])
                      for row in model.objects.filter(campaign_id=campaign_id).values_list(
                          *head, *extra, *columns)}
            expected = {(row[1], row[2], tuple(row[3:width + 1])): tuple(row[width + 1:])
                        for row in expected_rows}
            _compare_tallies(campaign_id, str(MONTH_TALLY_NAMES[model_name]), columns, actual,
                             expected, describe_key, report)


def count_work(campaign_ids):
    """How many seals a verification of these campaigns goes through (for progress)."""
    return ResponseSeal.objects.filter(campaign_id__in=campaign_ids).count()


def campaigns_to_check(campaign=None):
    if campaign is not None:
        return [campaign.pk if isinstance(campaign, Campaign) else int(campaign)]
    return list(Campaign.objects.order_by("pk").values_list("pk", flat=True))


def verify(campaign_ids=None, on_problem=None, progress=None, keep=None):
    """Verify the given campaigns (default: all); return a :class:`Verification`.

    ``on_problem(problem)`` is called for each finding as it is found, ``progress(n)``
    after each chunk of ``n`` seals; only the first ``keep`` problems are kept on the result.
    """
    keyring = get_keyring()
    result = Verification()
    ids = campaign_ids if campaign_ids is not None else campaigns_to_check()

    titles = dict(Campaign.objects.filter(pk__in=ids).values_list("pk", "title"))

    def report(problem):
        problem.campaign_title = titles.get(problem.campaign, "")
        result.problem_count += 1
        if keep is None or len(result.problems) < keep:
            result.problems.append(problem)
        if on_problem:
            on_problem(problem)

    def seen(count):
        result.seals_checked += count
        if progress:
            progress(count)

    for campaign_id in ids:
        head = _check_seals(campaign_id, keyring, report, seen)
        if head[0]:
            result.heads[str(campaign_id)] = list(head)
        _check_unsealed(campaign_id, report)
        _check_tallies(campaign_id, report)
    result.responses_checked = Response.objects.filter(campaign_id__in=ids).count()
    return result
