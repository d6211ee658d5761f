"""Check every seal, each campaign's chain, and that the daily tallies equal the raw answers.

Works through each campaign's seals in number order, a chunk at a time (four queries per
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
    PendingTally,
    Response,
    ResponseSeal,
    ResponseTally,
    SealChain,
    Unit,
)
from ..reports.rollup import (
    TALLY_COLUMNS,
    answer_tally_rows,
    response_tally_rows,
    roll_up_pending,
)
from .keys import get_keyring
from .seal import (
    CONTACT_FIELD,
    SEALED_FIELDS,
    canonical,
    comment_digest,
    contact_digest,
    digest,
)

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

    KINDS = ("altered", "deleted", "unsealed", "unknown_key", "chain", "head", "tally")

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


def _check_seals(campaign_id, keyring, report, progress):
    seals = ResponseSeal.objects.filter(campaign_id=campaign_id).order_by("seq")
    last_seq, last_digest, last_response = 0, "", None
    while True:
        chunk = list(seals.filter(seq__gt=last_seq)[:CHUNK])
        if not chunk:
            break
        ids = [seal.response_id for seal in chunk]
        responses = {row["id"]: row for row in Response.objects.filter(pk__in=ids)
                     .values(*SEALED_FIELDS, CONTACT_FIELD)}
        answers = _rows_by_response(Answer.objects.filter(response_id__in=ids)
                                    .values_list("response_id", "question_id", "value"))
        comments = dict(Comment.objects.filter(response_id__in=ids)
                        .values_list("response_id", "text"))
        for seal in chunk:
            uid = str(seal.response_uid or "")
            if seal.seq != last_seq + 1 or seal.prev_digest != last_digest:
                missing = (f"{last_seq + 1}–{seal.seq - 1}" if seal.seq > last_seq + 2
                           else str(last_seq + 1) if seal.seq == last_seq + 2
                           else str(seal.seq - 1))
                report(Problem("chain", campaign_id, seal.response_id, uid, seal.seq,
                               {"missing": missing, "after": last_response}))
            last_seq, last_digest, last_response = seal.seq, seal.digest, seal.response_id
            key = keyring.get(seal.key_id)
            row = responses.get(seal.response_id)
            if row is None:
                report(Problem("deleted", campaign_id, seal.response_id, uid, seal.seq))
                continue
            if key is None:
                report(Problem("unknown_key", campaign_id, seal.response_id, uid, seal.seq,
                               {"key_id": seal.key_id}))
                continue
            # A blank email is allowed (erased personal data); any other must match.
            contact = contact_digest(key, row[CONTACT_FIELD]) if row[CONTACT_FIELD] else (
                seal.contact_digest)
            # Likewise a comment whose personal data was masked by the purge: its masked
            # text is sealed; the digest of the full text is checked while it is unmasked.
            text = comments.get(row["id"])
            personal = comment_digest(key, text) or seal.comment_digest
            content = canonical(row, answers.get(row["id"], []), text, contact, personal)
            expected = digest(key, campaign_id, seal.seq, seal.prev_digest, content)
            if expected != seal.digest or str(row["uid"] or "") != uid:
                report(Problem("altered", campaign_id, seal.response_id,
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
