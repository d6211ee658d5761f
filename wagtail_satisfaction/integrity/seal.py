"""The seal of a response: a keyed digest of its canonical content, chained per campaign.

``digest = HMAC-SHA256(key, "<campaign>:<seq>:<previous digest>\\n" + canonical content)``.
The canonical content is compact, key-sorted JSON of what the respondent gave and where it
was given: answers, comment text, channel, unit, procedure, officer, dossier code, time,
campaign, questionnaire, staff member who typed it in, ids. Derived scores are not sealed
(a change of scoring rules recomputes them; the tallies check covers what reports read), nor
is the comment's moderation state. The email is sealed only as a keyed digest, so that it
can be erased later without breaking the seal.
"""

import functools
import hashlib
import hmac
import json
from datetime import UTC

from django.db import connection, transaction
from django.utils import timezone

from ..moderation.privacy import retained_comment_text
from .keys import get_keyring

CANONICAL_VERSION = 1

# Response columns that the seal covers, as ``values()`` names.
SEALED_FIELDS = ["id", "uid", "campaign_id", "questionnaire_id", "channel", "unit_id",
                 "procedure_id", "officer_id", "dossier_code", "dossier_proven", "submitted_at",
                 "entered_by_id"]
CONTACT_FIELD = "email"


def _moment(value):
    if timezone.is_naive(value):  # as Django stores a naive datetime
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(row, answers, comment, contact_digest, comment_digest=""):
    """Bytes that the seal covers.

    ``row`` maps each of ``SEALED_FIELDS`` to its value; ``answers`` is an iterable of
    ``(question id, value)``; ``comment`` the comment's text or None.
    """
    content = {name: row[name] for name in SEALED_FIELDS}
    content["uid"] = str(row["uid"]) if row["uid"] else ""
    content["submitted_at"] = _moment(row["submitted_at"])
    content.update(
        v=CANONICAL_VERSION,
        answers=sorted([int(question), None if value is None else int(value)]
                       for question, value in answers),
        # The comment as kept after the retention purge, plus a keyed digest of the full
        # text while it holds personal data (see ``comment_digest``).
        comment=None if comment is None else retained_comment_text(comment),
        comment_personal=comment_digest, contact=contact_digest,
    )
    return json.dumps(content, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def comment_digest(key, text):
    """Keyed digest of a comment's full text while it holds personal data, else "".

    The seal covers the masked text; this digest covers what masking hides, so an edit of a
    phone number is found until the purge masks it (after which the digest is not checked).
    """
    if not text or retained_comment_text(text) == text:
        return ""
    return hmac.new(key, b"comment\n" + text.encode(), hashlib.sha256).hexdigest()


def contact_digest(key, email):
    email = (email or "").strip().lower()
    if not email:
        return ""
    return hmac.new(key, b"contact\n" + email.encode(), hashlib.sha256).hexdigest()


def digest(key, campaign_id, seq, prev_digest, content):
    header = f"{campaign_id}:{seq}:{prev_digest}\n".encode()
    return hmac.new(key, header + content, hashlib.sha256).hexdigest()


def _models(apps):
    if apps is None:
        from django.apps import apps
    return [apps.get_model("wagtail_satisfaction", name)
            for name in ("SealChain", "ResponseSeal")]


def _sql(model, *fields):
    meta = model._meta
    return [connection.ops.quote_name(meta.db_table)] + [
        connection.ops.quote_name(meta.get_field(name).column) for name in fields]


def _advance_chain(SealChain, campaign_id):
    """Lock the campaign's chain head and take the next number: ``(seq, previous digest)``.

    One ``UPDATE … RETURNING``: the row stays locked until the transaction ends, so
    concurrent submissions to one campaign take consecutive numbers (on PostgreSQL the
    waiting one then reads the winner's committed digest). Raw SQL because this runs on
    every submission and the ORM's overhead would be most of the seal's cost.
    """
    table, campaign, seq, head = _sql(SealChain, "campaign", "seq", "digest")
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(f"UPDATE {table} SET {seq} = {seq} + 1 WHERE {campaign} = %s "
                           f"RETURNING {seq}, {head}", [campaign_id])
            row = cursor.fetchone()
            if row is not None:
                return row
            # First seal of the campaign; a racing first submission's insert is ignored.
            SealChain.objects.bulk_create([SealChain(campaign_id=campaign_id)],
                                          ignore_conflicts=True)
    raise RuntimeError(f"No seal chain for campaign {campaign_id}")


def append_seal(row, answers, comment, apps=None, keyring=None, chain_head=None):
    """Seal one stored response as the next link of its campaign's chain.

    Must run inside the transaction that stores the response: the chain head stays locked
    until it commits, which orders concurrent submissions to the same campaign.
    ``chain_head`` is ``(seq, previous digest)`` when the caller's own statement already
    advanced (and locked) the chain, as :func:`services.insert_response` does.
    """
    SealChain, _seal = _models(apps)
    if chain_head is None:
        chain_head = _advance_chain(SealChain, row["campaign_id"])
    statements, value = seal_statements(row, answers, comment, chain_head, apps, keyring)
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    return value


def seal_statements(row, answers, comment, chain_head, apps=None, keyring=None):
    """The SQL that stores the seal of one response as link ``chain_head`` (``(seq,
    previous digest)``, taken and locked by the caller's transaction) and moves the chain's
    head to it: ``([(sql, params), ...], digest)``; one statement on PostgreSQL.

    The digest is computed here, in Python: only the digests reach the database, never the
    key. :func:`services.store_postgresql` sends the statement with its ``COMMIT``.
    """
    SealChain, ResponseSeal = _models(apps)
    key_id, key = (keyring or get_keyring()).current()
    contact = contact_digest(key, row.get(CONTACT_FIELD))
    personal = comment_digest(key, comment)
    content = canonical(row, answers, comment, contact, personal)
    seq, prev = chain_head
    value = digest(key, row["campaign_id"], seq, prev, content)
    uid = ResponseSeal._meta.get_field("response_uid").get_db_prep_value(
        row["uid"], connection)
    insert, update, together = _seal_sql(ResponseSeal, SealChain, connection.vendor)
    params = [row["campaign_id"], seq, row["id"], uid, key_id, contact, personal, prev, value]
    if together:  # one round trip instead of two
        return [(together, params + [value, row["campaign_id"]])], value
    return [(insert, params), (update, [value, row["campaign_id"]])], value


@functools.cache
def _seal_sql(ResponseSeal, SealChain, vendor):
    """:func:`seal_statements`' texts, built once per process (and per model state of a
    migration): the seal's INSERT, the chain's UPDATE, and both as one statement
    (PostgreSQL) or None."""
    columns = ["campaign", "seq", "response", "response_uid", "key_id", "contact_digest",
               "comment_digest", "prev_digest", "digest"]
    table, *names = _sql(ResponseSeal, *columns)
    chain_table, chain_campaign, chain_digest = _sql(SealChain, "campaign", "digest")
    insert = (f"INSERT INTO {table} ({', '.join(names)}) "
              f"VALUES ({', '.join(['%s'] * len(names))})")
    update = f"UPDATE {chain_table} SET {chain_digest} = %s WHERE {chain_campaign} = %s"
    return insert, update, f"WITH seal AS ({insert}) {update}" if vendor == "postgresql" else None


def response_row(response):
    """The sealed fields (and the email) of a ``Response`` as :func:`canonical` reads them."""
    row = {name: getattr(response, name) for name in SEALED_FIELDS}
    row[CONTACT_FIELD] = response.email
    return row


def seal_response(response, answers, comment, chain_head=None):
    """Seal a response just stored by ``services.submit_response`` (same transaction).

    ``answers`` is the ``{question: value}`` mapping it stored, ``comment`` the stored text,
    ``chain_head`` the chain's next number and previous digest if already taken.
    """
    return append_seal(response_row(response),
                       [(question.pk, value) for question, value in answers.items()],
                       comment or None, chain_head=chain_head)


def content_as_sealed(seal, key, row, answers, comment):
    """The canonical content of stored rows as ``seal`` covers it (what verification checks).

    A blank email is allowed (erased personal data): the seal's contact digest stands for
    it; likewise a comment whose personal data the purge masked: its masked text is sealed
    and the digest of the full text is checked while the text is unmasked.
    """
    contact = contact_digest(key, row[CONTACT_FIELD]) if row[CONTACT_FIELD] else (
        seal.contact_digest)
    personal = comment_digest(key, comment) or seal.comment_digest
    return canonical(row, answers, comment, contact, personal)


def link_matches(seal, key, content):
    """Whether ``seal`` (a chain link) seals exactly ``content`` (bytes)."""
    return digest(key, seal.campaign_id, seal.seq, seal.prev_digest, content) == seal.digest


def seal_correction(correction, row, answers, comment):
    """Seal a corrected typed form as the next link of its campaign's chain; the content.

    ``row`` maps ``SEALED_FIELDS`` (and the email) to the corrected response's values,
    ``answers`` is ``[(question id, value)]``. Runs in the correction's transaction, after the
    tallies (the same lock order as a submission: tallies, then the chain's head). Sets
    ``correction.after`` to the sealed content; the caller saves the correction.
    """
    SealChain, ResponseSeal = _models(None)
    key_id, key = get_keyring().current()
    contact = contact_digest(key, row.get(CONTACT_FIELD))
    personal = comment_digest(key, comment)
    content = canonical(row, answers, comment, contact, personal)
    seq, prev = _advance_chain(SealChain, row["campaign_id"])
    value = digest(key, row["campaign_id"], seq, prev, content)
    ResponseSeal.objects.create(
        campaign_id=row["campaign_id"], seq=seq, response=None, response_uid=row["uid"],
        correction=correction, key_id=key_id, contact_digest=contact,
        comment_digest=personal, prev_digest=prev, digest=value)
    SealChain.objects.filter(campaign_id=row["campaign_id"]).update(digest=value)
    correction.after = content.decode()
    return content


def seal_unsealed(campaign_ids=None, apps=None, batch=500):
    """Seal every response that has no seal yet, oldest first; return how many.

    For installs upgrading to sealing (the data migration calls it) and for data loaded
    behind the product's back. It vouches for rows as they are now: check them first.
    """
    if apps is None:
        from django.apps import apps as global_apps
        apps = global_apps
    Response = apps.get_model("wagtail_satisfaction", "Response")
    Answer = apps.get_model("wagtail_satisfaction", "Answer")
    Comment = apps.get_model("wagtail_satisfaction", "Comment")
    ResponseSeal = apps.get_model("wagtail_satisfaction", "ResponseSeal")
    keyring = get_keyring()
    sealed = 0
    while True:
        with transaction.atomic():
            pending = Response.objects.exclude(
                pk__in=ResponseSeal.objects.filter(response_id__isnull=False)
                .values("response_id"))
            if campaign_ids is not None:
                pending = pending.filter(campaign_id__in=campaign_ids)
            rows = list(pending.order_by("submitted_at", "pk")
                        .values(*SEALED_FIELDS, CONTACT_FIELD)[:batch])
            if not rows:
                return sealed
            ids = [row["id"] for row in rows]
            answers = {}
            for response_id, question_id, value in Answer.objects.filter(
                    response_id__in=ids).values_list("response_id", "question_id", "value"):
                answers.setdefault(response_id, []).append((question_id, value))
            comments = dict(Comment.objects.filter(response_id__in=ids)
                            .values_list("response_id", "text"))
            for row in rows:
                append_seal(row, answers.get(row["id"], []), comments.get(row["id"]),
                            apps=apps, keyring=keyring)
            sealed += len(rows)
