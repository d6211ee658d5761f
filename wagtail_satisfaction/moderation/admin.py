"""The moderation queue in the Wagtail admin, on our ``ReadOnlyListing`` layer.

The queue opens on pending comments; a moderator filters, searches (accent-insensitive,
and by phone number or dossier code), ticks comments and marks them relevant / off-topic /
spam in one action (a key or a button), which can be undone from the queue. The comment
page shows the ratings, procedure, channel and the comment's history. The views are thin:
the rules are in :mod:`.decisions`.
"""

import re
from functools import wraps

from django.contrib import messages
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.views.main import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage
from django.db.models import Avg, Q, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import re_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail_modeladmin.helpers.search import BaseSearchHandler
from wagtail_modeladmin.views import IndexView, InspectView

from .. import permissions
from ..admin.modeladmin import ReadOnlyListing
from ..conf import get_setting
from ..models import Answer, Comment, ModerationState, Unit
from ..models.scopes import restrict
from ..permissions import can_see_personal_data
from .decisions import DECIDED_STATES, decide_undoably, displayed_text, history, undo
from .text import fold

ALL = "all"

# Score bands shown to moderators: (value, label, lowest score, highest score excluded).
SCORE_BANDS = (
    ("high", gettext_lazy("High (0.8 and above)"), 0.8, None),
    ("medium", gettext_lazy("Medium (0.5 to 0.8)"), 0.5, 0.8),
    ("low", gettext_lazy("Low (below 0.5)"), None, 0.5),
    ("none", gettext_lazy("Not scored"), None, None),
)


def score_band(score):
    if score is None:
        return "none"
    for value, _label, low, high in SCORE_BANDS[:3]:
        if (low is None or score >= low) and (high is None or score < high):
            return value
    return "none"


class StateFilter(SimpleListFilter):
    """State, opening on "pending": the queue is the work still to do."""

    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*ModerationState.choices, (ALL, _("All states"))]

    def value(self):
        return super().value() or ModerationState.PENDING

    def queryset(self, request, queryset):
        value = self.value()
        if value == ALL:
            return queryset
        if value not in ModerationState.values:
            raise IncorrectLookupParameters(value)
        return queryset.filter(state=value)

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class ScoreBandFilter(SimpleListFilter):
    title = gettext_lazy("relevance score")
    parameter_name = "score_band"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label, _low, _high in SCORE_BANDS]

    def queryset(self, request, queryset):
        bands = {value: (low, high) for value, _label, low, high in SCORE_BANDS}
        value = self.value()
        if value is None:
            return queryset
        if value not in bands:
            raise IncorrectLookupParameters(value)
        if value == "none":
            return queryset.filter(score__isnull=True)
        low, high = bands[value]
        condition = Q(score__isnull=False)
        if low is not None:
            condition &= Q(score__gte=low)
        if high is not None:
            condition &= Q(score__lt=high)
        return queryset.filter(condition)


class UnitFilter(SimpleListFilter):
    """A unit with its sub-units (matched by the unit tree, never by name)."""

    title = gettext_lazy("unit")
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        return [(str(unit.pk), "\u2003" * (unit.depth - 1) + unit.name)
                for unit in restrict(Unit.objects.only("pk", "name", "path"), request.user)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        unit = Unit.objects.filter(pk=self.value()).first() if self.value().isdigit() else None
        if unit is None:
            raise IncorrectLookupParameters(self.value())
        return queryset.filter(response__unit__path__startswith=unit.path)


def rating_summaries(response_ids):
    """{response id: {"satisfaction": mean of 1–5 answers, "points": sum of 0–2 points}}
    for one page of comments, in one GROUP BY query."""
    rows = (Answer.objects.filter(response_id__in=response_ids, value__isnull=False)
            .values("response_id")
            .annotate(satisfaction=Avg("value", filter=Q(question__scale="satisfaction5")),
                      points=Sum("value", filter=Q(question__scale="points0_2"))))
    return {row["response_id"]: row for row in rows}


# A dossier code ("000.21.36.H36-261029-0034"): letters and digits joined by dots or dashes.
DOSSIER_CODE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[0-9A-Za-z]+(?:[.\-/][0-9A-Za-z]+)+$")
# A phone or ID number as people type it: 9 or more digits, maybe split by spaces, dots or
# dashes, maybe with the country code ("0901 234 567", "0901.234.567", "+84 901 234 567").
PHONE = re.compile(r"\+?\d(?:[\s.\-]?\d){8,}")


def national_digits(number):
    """The digits of a phone number as dialled inside Viet Nam: +84 / 84 becomes 0."""
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        digits = "0" + digits[2:]
    return digits


def phone_pattern(number):
    """A regular expression matching ``number`` however it was typed in a comment."""
    digits = national_digits(number)
    separator = r"[ .-]?"
    body = separator.join(digits[1:] if digits.startswith("0") else digits)
    lead = r"(0|\+?84[ .-]?)" if digits.startswith("0") else ""
    return rf"(^|[^0-9]){lead}{body}([^0-9]|$)"


def parse_search(term):
    """Split a search into ``(phones, dossier codes, the rest as a phrase)``."""
    codes, words = [], []
    for word in (term or "").split():
        (codes if DOSSIER_CODE.match(word.strip(",;")) else words).append(word.strip(",;"))
    rest = " ".join(words)
    phones = [match.group(0) for match in PHONE.finditer(rest)]
    rest = PHONE.sub(" ", rest)
    return phones, codes, " ".join(rest.split())


def searches_a_number(term):
    """Whether a search names a phone or ID number, or a piece of one (4+ digits): what a
    user who may not see personal data is not allowed to search by."""
    phones, _codes, phrase = parse_search(term)
    return bool(phones) or any(sum(ch.isdigit() for ch in word) >= 4 for word in phrase.split())


class FoldedTextSearchHandler(BaseSearchHandler):
    """Search on the stored folded text: "ho so" finds "Hồ sơ", inside the database.

    A dossier code finds the comments of that dossier (the response's code) or that
    mention it. A phone or ID number finds the comments holding it however it was typed
    (spaces, dots, +84 or 0) — for users who may see personal data only: for the others
    numbers are masked, and a search by one finds nothing (the queue says why), so a
    number cannot be confirmed by searching for it.
    """

    def search_queryset(self, queryset, search_term, user=None, **kwargs):
        if not search_term:
            return queryset
        if user is not None and not can_see_personal_data(user) \
                and searches_a_number(search_term):
            return queryset.none()
        phones, codes, phrase = parse_search(search_term)
        for phone in phones:
            queryset = queryset.filter(text__regex=phone_pattern(phone))
        for code in codes:
            queryset = queryset.filter(Q(response__dossier_code__iexact=code)
                                       | Q(text_folded__contains=fold(code)))
        return queryset.search(phrase) if phrase else queryset


class ModerationQueueView(IndexView):
    """The queue: rows with checkboxes and the bulk action bar.

    Unlike modeladmin's index it never counts the whole table (a million-row COUNT costs
    more than the page): one COUNT of the filtered rows for the paginator, one page query.
    So it builds the whole context itself instead of extending ``IndexView``'s.
    """

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except IncorrectLookupParameters:
            # A stale or hand-edited link (an unknown state, band or unit) would otherwise
            # be a server error; Django's own admin also falls back to the unfiltered list.
            messages.error(request, _("A filter in the address is not known: the queue is "
                                      "shown without filters."))
            return redirect(self.url_helper.index_url)

    def get_context_data(self, **kwargs):
        user = self.request.user
        paginator = self.paginator_class(self.queryset, self.items_per_page)
        try:
            page_obj = paginator.page(self.page_num)
        except InvalidPage:
            page_obj = paginator.page(1)
        rows = list(page_obj.object_list)
        ratings = rating_summaries([comment.response_id for comment in rows])
        for comment in rows:
            comment.ratings = ratings.get(comment.response_id)
            comment.shown_text = displayed_text(comment, user)
            comment.band = score_band(comment.score)
            comment.inspect_url = self.url_helper.get_action_url("inspect", comment.pk)
        context = {
            **(self.extra_context or {}),
            "view": self,
            "model_admin": self.model_admin,
            "all_count": 1 if rows or Comment.objects.exists() else 0,
            "result_count": paginator.count,
            "paginator": paginator,
            "page_obj": page_obj,
            "elided_page_range": paginator.get_elided_page_range(page_obj.number),
            "object_list": rows,
            "user_can_create": False,
            "show_search": True,
            "decisions": decision_buttons(),
            "moderate_url": self.url_helper.get_action_url("moderate"),
            "current_url": self.request.get_full_path(),
            "personal_data_masked": not can_see_personal_data(user),
            "undo": self.request.session.get(UNDO_SESSION_KEY),
            "number_search_refused": searches_a_number(self.query)
            and not can_see_personal_data(user),
        }
        context.update(kwargs)
        return context

    def get_base_queryset(self, request=None):
        return super().get_base_queryset(request).select_related(
            "campaign", "response__unit", "response__procedure", "response__officer")


def decision_buttons():
    """(state, label, access key) of the three decisions, in queue order."""
    keys = {ModerationState.RELEVANT: "r", ModerationState.OFF_TOPIC: "o",
            ModerationState.SPAM: "s"}
    return [(state, ModerationState(state).label, keys[state]) for state in DECIDED_STATES]


class CommentInspectView(InspectView):
    """The comment with its ratings, procedure, channel, decisions and history."""

    def get_page_subtitle(self):
        # Never the visitor's words in the header: they may hold personal data.
        return _("Comment #%(id)s") % {"id": self.instance.pk}

    def get_meta_title(self):
        return self.get_page_subtitle()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        comment = self.instance
        user = self.request.user
        context.update(
            comment=comment,
            response=comment.response,
            shown_text=displayed_text(comment, user),
            answers=comment.response.answer_rows(),
            history=history(comment),
            decisions=decision_buttons(),
            moderate_url=self.url_helper.get_action_url("moderate"),
            band=score_band(comment.score),
            personal_data_masked=not can_see_personal_data(user),
            next_pending_url=self.next_pending_url(),
        )
        return context

    def next_pending_url(self):
        """The next pending comment in queue order, so a decision leads on to it."""
        comment = self.instance
        following = (restrict(Comment.objects.pending(), self.request.user)
                     .exclude(pk=comment.pk)
                     .filter(Q(submitted_at__lt=comment.submitted_at)
                             | Q(submitted_at=comment.submitted_at, pk__lt=comment.pk))
                     .order_by("-submitted_at", "-pk").values_list("pk", flat=True).first())
        if following is None:
            return self.url_helper.index_url
        return self.url_helper.get_action_url("inspect", following)


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


UNDO_SESSION_KEY = "wagtail_satisfaction_moderation_undo"


def moderate_view(request, model_admin):
    """POST ids + state (+ ``confirm``) → decision; without ``confirm`` a confirmation page.

    The queue and the comment page send ``confirm`` (one action, undone from the queue);
    POST ``undo`` with a decision's id takes it back.
    """
    if not permissions.COMMENTS.user_has_permission(request.user, "moderate"):
        raise PermissionDenied
    index_url = model_admin.url_helper.index_url
    if request.method != "POST":
        return redirect(index_url)
    next_url = _safe_next(request, index_url)
    if request.POST.get("undo"):
        return undo_view(request, next_url)
    state = request.POST.get("state", "")
    ids = [value for value in request.POST.getlist("comment") if value.isdigit()]
    if state not in DECIDED_STATES:
        messages.error(request, _("Choose relevant, off-topic or spam."))
        return HttpResponseRedirect(next_url)
    if not ids:
        messages.error(request, _("Tick at least one comment first."))
        return HttpResponseRedirect(next_url)
    comments = restrict(Comment.objects.filter(pk__in=ids), request.user).select_related(
        "campaign", "response__procedure")
    reason = request.POST.get("reason", "")
    error = None
    if request.POST.get("confirm") == "1":
        try:
            changed, decision = decide_undoably(comments, state, request.user, reason)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            label = ModerationState(state).label
            if changed:
                text = ngettext("%(count)s comment marked as %(state)s.",
                                "%(count)s comments marked as %(state)s.", changed,
                                ) % {"count": changed, "state": label}
                messages.success(request, text)
                request.session[UNDO_SESSION_KEY] = {"decision": decision, "text": text}
            else:
                messages.info(request, _("Nothing changed: the comments were already %(state)s.")
                              % {"state": label})
            return HttpResponseRedirect(next_url)
    rows = list(comments)
    if not rows:
        messages.error(request, _("Tick at least one comment first."))
        return HttpResponseRedirect(next_url)
    for comment in rows:
        comment.shown_text = displayed_text(comment, request.user)
    return TemplateResponse(request, "wagtail_satisfaction/admin/moderation_confirm.html", {
        "comments": rows,
        "state": state,
        "state_label": ModerationState(state).label,
        "reason": reason,
        "error": error,
        "next_url": next_url,
        "moderate_url": model_admin.url_helper.get_action_url("moderate"),
        "page_title": _("Confirm moderation"),
        "header_title": _("Confirm moderation"),
        "header_icon": "comment",
    }, status=400 if error else 200)


def undo_view(request, next_url):
    """Take back the user's decision named in POST ``undo`` (the last one offered)."""
    decision = request.POST["undo"]
    offered = request.session.get(UNDO_SESSION_KEY) or {}
    if offered.get("decision") == decision:
        del request.session[UNDO_SESSION_KEY]
    restored = undo(decision, request.user, restrict(Comment.objects.all(), request.user))
    if restored:
        messages.success(request, ngettext(
            "Undone: %(count)s comment is back to its previous state.",
            "Undone: %(count)s comments are back to their previous state.", restored,
        ) % {"count": restored})
    else:
        messages.info(request, _("Nothing to undo: the comments were decided again since, "
                                 "or the decision is not yours."))
    return HttpResponseRedirect(next_url)


def refuse_with_403(view):
    """How the queue refuses: a user the policy turns away gets a real 403 page (Wagtail's
    own handler would redirect to the dashboard), so the URL plainly refuses."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return TemplateResponse(
                request, "wagtail_satisfaction/admin/moderation_forbidden.html",
                {"page_title": _("Permission needed"), "header_title": _("Permission needed"),
                 "header_icon": "lock"}, status=403)

    return wrapped


class CommentListing(ReadOnlyListing):
    """The moderation queue ("Kiểm duyệt ý kiến") of the IT team."""

    model = Comment
    permission_policy = permissions.COMMENTS
    permission_required = "moderate"
    menu_label = gettext_lazy("Comment moderation")
    menu_icon = "comment"
    list_display = ("submitted_at", "campaign", "text", "state", "score")
    list_filter = (StateFilter, "campaign", UnitFilter, "response__procedure",
                   "response__officer", "response__channel", "submitted_at", ScoreBandFilter)
    search_fields = ("text_folded",)
    search_handler_class = FoldedTextSearchHandler
    index_view_class = ModerationQueueView
    inspect_view_class = CommentInspectView
    index_template_name = "wagtail_satisfaction/admin/moderation_queue.html"
    inspect_template_name = "wagtail_satisfaction/admin/comment_inspect.html"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.list_per_page = get_setting("MODERATION_PAGE_SIZE")

    def get_extra_search_kwargs(self, request, search_term):
        return {"user": request.user}

    def get_admin_urls_for_registration(self):
        urls = super().get_admin_urls_for_registration() + (
            re_path(rf"^{self.url_helper.base_url_path}/moderate/$",
                    lambda request: moderate_view(request, self),
                    name=self.url_helper.get_action_url_name("moderate")),
        )
        return tuple(re_path(url.pattern.regex.pattern, refuse_with_403(url.callback),
                             name=url.name) for url in urls)
