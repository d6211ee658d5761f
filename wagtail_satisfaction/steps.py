"""The survey in steps: one factor per step, "Continue" and "Back", no JavaScript needed.

A campaign whose ``survey_layout`` is "steps" draws its survey one factor (section) at a
time: the questions about the dossier come with the first factor, the comment with the last.
Each step is a plain form POST to the survey's own address (so a survey block keeps its
steps on the page that holds it). The answers of the other steps travel in one hidden field,
``satisfaction_steps``: a token signed with the site's secret key, bound to the campaign and
to the form's one-time key (``satisfaction_key``), that holds the step shown and the answers
typed so far. Nothing is kept on the server between steps (no session, no database row, no
cache entry), so the first step is drawn like the one-page form (its question fieldsets from
the survey cache), and a visitor who leaves half-way leaves nothing behind.

* "Continue" checks only the questions of the step shown; their errors are shown on that
  step with what was typed. The other steps' answers are kept as they are.
* "Back" checks nothing and loses nothing.
* "Send" (the last step) submits the whole form through ``SurveyFlow.submit``, like the
  one-page form: the limits, the one-time key, the duplicate guards and the seal apply
  there and only there. An answer refused at that point (a duplicate email, a wrong secret
  code) is shown on the step that asks it.
* A token that was altered, or that belongs to another form or campaign, is refused with a
  message, and nothing is stored.

A POST without the ``satisfaction_steps`` field is a one-page submission (older pages,
scripts, the benchmark): it is accepted in either layout when every answer is present.
"""

from django.core import signing
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .conf import get_setting

STATE_FIELD = "satisfaction_steps"
MOVE_FIELD = "satisfaction_move"
NEXT, BACK, SEND = "next", "back", "send"
SALT = "wagtail_satisfaction.steps"
ABOUT_FIELDS = ("procedure", "officer", "dossier_code", "dossier_secret", "email")

TAMPERED_MESSAGE = _("The answers of the earlier parts could not be read: the page was "
                     "changed or belongs to another survey. Nothing was recorded; please "
                     "answer again from the first part.")


class Tampered(Exception):
    """The signed answers of the other steps were altered or belong to another form."""


def step_names(form):
    """[[field name, ...], ...]: the fields each step of ``form`` shows, in order.

    The questions about the dossier come with the first factor; the comment, the honeypot
    and any other field with the last.
    """
    steps = [[field.name for field in fields] for _factor, fields in form.factor_groups()]
    steps = steps or [[]]
    steps[0] = [name for name in ABOUT_FIELDS if name in form.fields] + steps[0]
    placed = {name for names in steps for name in names}
    steps[-1] = steps[-1] + [name for name in form.fields if name not in placed]
    return steps


def dumps(campaign, key, step, data):
    return signing.dumps({"c": campaign.pk, "k": key or "", "s": step, "d": data},
                         salt=SALT, compress=True)


def loads(campaign, post):
    """(step, {field: value}) from a step form's POST; raises :class:`Tampered`."""
    token = post.get(STATE_FIELD, "")
    if not token:  # the first step as drawn by a GET: nothing answered yet
        return 0, {}
    try:
        state = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise Tampered from None
    if not (isinstance(state, dict) and state.get("c") == campaign.pk
            and state.get("k") == post.get("satisfaction_key", "")
            and isinstance(state.get("s"), int) and state["s"] >= 0
            and isinstance(state.get("d"), dict)
            and all(isinstance(value, str) for value in state["d"].values())):
        raise Tampered
    return state["s"], state["d"]


def bind(flow, post):
    """The bound survey form of a step POST and the move asked (NEXT, BACK or SEND).

    The form's data are the signed answers of the other steps plus what the step shown
    posted; ``form.step`` is the index of the step shown.
    """
    names = step_names(flow.get_form())
    step, kept = loads(flow.campaign, post)
    step = min(step, len(names) - 1)
    shown = set(names[step])
    known = {name for part in names for name in part}
    data = QueryDict(mutable=True)
    for name, value in kept.items():
        if name in known and name not in shown:
            data[name] = value
    for name in shown:
        if name in post:
            data.setlist(name, post.getlist(name))
    for name in ("satisfaction_key", STATE_FIELD):
        if name in post:
            data[name] = post[name]
    form = flow.get_form(data)
    form.step = step
    move = post.get(MOVE_FIELD)
    last = step == len(names) - 1
    if move not in (NEXT, BACK, SEND) or (move == NEXT and last):
        move = SEND if last else NEXT
    return form, move


def keep_errors_of(form, step):
    """Check ``form`` and keep only the errors of the fields of ``step`` (None: no errors)."""
    names = set(step_names(form)[step]) if step is not None else set()
    for name in list(form.errors):
        if name not in names:
            del form.errors[name]
    return bool(form.errors)


class StepView:
    """What a template needs to draw the step of a form: which one, of how many, the token."""

    def __init__(self, campaign, form, key):
        self.campaign, self.form, self.key = campaign, form, key
        self.names = step_names(form)
        self.total = len(self.names)
        self.index = self.shown_step()
        self.number = self.index + 1
        self.first = self.index == 0
        self.last = self.index == self.total - 1

    def shown_step(self):
        """The first step with an error, else the step the form is on (first when new)."""
        form = self.form
        if form.is_bound and form.errors:
            for index, names in enumerate(self.names):
                if any(name in form.errors for name in names):
                    return index
            return self.total - 1  # an error of the whole form: shown with the send button
        return min(getattr(form, "step", 0), self.total - 1)

    @property
    def token(self):
        """The signed answers of the other steps ("" for a new form: nothing answered)."""
        form = self.form
        if not form.is_bound:
            return ""
        shown = set(self.names[self.index])
        honeypot = get_setting("HONEYPOT_FIELD")
        data = {name: form.data[name] for names in self.names for name in names
                if name not in shown and name in form.data and name != honeypot}
        return dumps(self.campaign, self.key, self.index, data)
