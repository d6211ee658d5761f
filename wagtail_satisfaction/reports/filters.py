"""The filters shared by the report and every export: one form, one dataclass, one queryset.

Periods are calendar periods in the report time zone (Asia/Ho_Chi_Minh by default): a
response at 00:30 on 1 October local time is in Q4 although its UTC date is 30 September.
"""

import calendar
import dataclasses
import datetime
from dataclasses import dataclass, field

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..formats import short_date
from ..models import (
    Campaign,
    Channel,
    Officer,
    PendingTally,
    Procedure,
    Response,
    Round,
    Sector,
    Unit,
)
from ..models.scopes import bound_unit_list, restrict, sees_unit, units_for, usable_campaigns
from .rollup import keeps_month_tallies, report_zone, roll_up_pending


class Period(models.TextChoices):
    ALL = "", _("Whole campaign")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("Half-year")
    YEAR = "year", _("Year")
    CUSTOM = "custom", _("Custom dates")


PERIOD_PARTS = {Period.MONTH: 12, Period.QUARTER: 4, Period.HALF: 2, Period.YEAR: 1}


def period_dates(kind, year, number=1):
    """First and last local date of month/quarter/half-year ``number`` of ``year``."""
    months = 12 // PERIOD_PARTS[kind]
    first_month = (number - 1) * months + 1
    last_month = first_month + months - 1
    return (datetime.date(year, first_month, 1),
            datetime.date(year, last_month, calendar.monthrange(year, last_month)[1]))


@dataclass
class ReportFilters:
    """What to count: a campaign and optional narrowing; dates are local and inclusive."""

    campaign: Campaign
    start: datetime.date | None = None
    end: datetime.date | None = None
    unit: Unit | None = None
    procedure: Procedure | None = None
    sector: Sector | None = None
    officer: Officer | None = None
    channel: str = ""
    round: Round | None = None
    raw: bool = False  # read raw answers even where the daily tallies could answer
    # The units a unit-scoped user may see (``models.scopes.units_for``); None: every unit.
    units: models.QuerySet | None = None
    # (first, last) local day left out of the dates (None: open), when the report reads
    # those whole months from the monthly tallies and the days around them elsewhere.
    skip: tuple | None = None
    _rolled_up: bool = field(default=False, init=False, repr=False, compare=False)

    def roll_up(self):
        """Add the responses still queued to the tallies (once per filters; PostgreSQL)."""
        if not self._rolled_up:
            # The filter form reads whether the queue is empty with the campaign.
            roll_up_pending(queued=getattr(self.campaign, "tally_queue", None))
            self._rolled_up = True

    @property
    def uses_tallies(self):
        """Whether the daily tallies can answer (they know day, unit and channel only)."""
        return (not self.raw and self.procedure is None and self.sector is None
                and self.officer is None)

    def moment_range(self):
        zone = report_zone()

        def start_of(day):
            return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)

        return (start_of(self.start) if self.start else None,
                start_of(self.end + datetime.timedelta(days=1)) if self.end else None)

    def responses(self):
        """The responses these filters select."""
        return Response.objects.filter(self._selects())

    def answers(self):
        """The answers of the responses these filters select (a join, so that the database
        reads each response once, not a subquery of them)."""
        from ..models import Answer

        return Answer.objects.filter(self._selects("response__"))

    def _selects(self, to=""):
        """The condition on a response (``to``: the path to it) these filters set."""
        def q(**lookups):
            return models.Q(**{to + name: value for name, value in lookups.items()})

        where = q(campaign=self.campaign)
        since, until = self.moment_range()
        if since:
            where &= q(submitted_at__gte=since)
        if until:
            where &= q(submitted_at__lt=until)
        if self.skip:  # the moments before the first day left out and after the last
            first, last = dataclasses.replace(self, start=self.skip[0], end=self.skip[1],
                                              skip=None).moment_range()
            edges = models.Q()
            if first:
                edges |= q(submitted_at__lt=first)
            if last:
                edges |= q(submitted_at__gte=last)
            where &= edges
        if self.unit:
            where &= q(unit__in=Unit.objects.within(self.unit))
        if self.units is not None:
            where &= q(unit__in=self.units)
        if self.procedure:
            where &= q(procedure=self.procedure)
        if self.sector:
            where &= q(procedure__sector=self.sector)
        if self.officer:
            where &= q(officer=self.officer)
        if self.channel:
            where &= q(channel=self.channel)
        return where

    def relevant_comments(self):
        """Comments moderated as relevant on the selected responses.

        A comment carries its campaign and time, so only the other filters join responses.
        """
        from ..models import Comment

        qs = Comment.objects.relevant().filter(campaign=self.campaign)
        since, until = self.moment_range()
        if since:
            qs = qs.filter(submitted_at__gte=since)
        if until:
            qs = qs.filter(submitted_at__lt=until)
        if self.unit:
            qs = qs.filter(response__unit__in=Unit.objects.within(self.unit))
        if self.units is not None:
            qs = qs.filter(response__unit__in=self.units)
        for name, lookup in (("procedure", "response__procedure"),
                             ("sector", "response__procedure__sector"),
                             ("officer", "response__officer"), ("channel", "response__channel")):
            if getattr(self, name):
                qs = qs.filter(**{lookup: getattr(self, name)})
        return qs

    @property
    def uses_answer_tallies(self):
        """Whether ``AnswerTally`` can answer (it knows day and unit, not the channel)."""
        return self.uses_tallies and not self.channel

    def tallies(self, model):
        """Rows of a daily tally table (``AnswerTally``/``ResponseTally``) these filters select.

        Rolls the queue of new responses up first (PostgreSQL, see ``reports.rollup``), so
        the rows read count every response stored so far.
        """
        assert self.uses_tallies
        if self.channel:
            assert model.__name__ != "AnswerTally"
        return self.tally_rows(model, "day")

    def tally_rows(self, model, period_field):
        """Rows of any tally table (daily: ``day``; monthly: ``month``) for the campaign,
        period, units and channel of these filters, the queue rolled up first."""
        self.roll_up()
        qs = model.objects.filter(campaign=self.campaign)
        if self.start:
            qs = qs.filter(**{f"{period_field}__gte": self.start})
        if self.end:
            qs = qs.filter(**{f"{period_field}__lte": self.end})
        if self.skip:
            # The days before the first day left out and after the last: two ranges of the
            # tally's index (a NOT of the one between would read it all and drop most).
            first, last = self.skip
            edges = models.Q()
            if first:
                edges |= models.Q(**{f"{period_field}__lt": first})
            if last:
                edges |= models.Q(**{f"{period_field}__gt": last})
            qs = qs.filter(edges)
        if self.unit:
            qs = qs.filter(unit__in=Unit.objects.within(self.unit))
        if self.units is not None:
            qs = qs.filter(unit__in=self.units)
        if self.channel:
            qs = qs.filter(channel=self.channel)
        return qs

    def describe(self):
        """Human-readable summary, for headings and the export's first sheet."""
        parts = [str(self.campaign)]
        if self.round:
            parts.append(str(self.round))
        if self.start or self.end:
            parts.append("{} – {}".format(short_date(self.start) if self.start else "…",
                                      short_date(self.end) if self.end else "…"))
        for value in (self.unit, self.sector, self.procedure, self.officer):
            if value:
                parts.append(str(value))
        if self.channel:
            parts.append(str(Channel(self.channel).label))
        return " · ".join(parts)


class ReportFilterForm(forms.Form):
    """The filter bar of the report, the export and the ``satisfaction_export`` command.

    Given a ``user``, its choices and figures follow the unit scopes (``models.scopes``):
    a unit-scoped user picks among the campaigns that reach their units and among their
    units, officers and procedures, and counts only their units' responses. A report on a
    campaign of a unit above theirs is the report of their unit.
    """

    # The report reads the campaign's questionnaire and unit: one query with the campaign.
    campaign = forms.ModelChoiceField(Campaign.objects.select_related("questionnaire", "unit"),
                                      label=_("Campaign"))
    round = forms.ModelChoiceField(Round.objects.select_related("campaign"), required=False,
                                   label=_("Round"))
    period = forms.ChoiceField(choices=Period.choices, required=False, label=_("Period"))
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("Year"))
    number = forms.IntegerField(
        required=False, min_value=1, max_value=12, label=_("Which"),
        help_text=_("Month 1–12, quarter 1–4 or half-year 1–2."))
    date_from = forms.DateField(required=False, label=_("From"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label=_("To"),
                              widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(Unit.objects.all(), required=False, label=_("Unit"),
                                  help_text=_("Includes its sub-units."))
    sector = forms.ModelChoiceField(Sector.objects.all(), required=False, label=_("Field"))
    procedure = forms.ModelChoiceField(Procedure.objects.all(), required=False,
                                       label=_("Procedure"))
    officer = forms.ModelChoiceField(Officer.objects.all(), required=False, label=_("Officer"))
    channel = forms.ChoiceField(choices=[("", _("All channels"))] + list(Channel.choices),
                                required=False, label=_("Channel"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Every campaign has its "Đợt 1": name the campaign too.
        self.fields["round"].label_from_instance = lambda r: f"{r.campaign} – {r}"
        self.user = user
        self.units = None if user is None else units_for(user)
        if self.units is not None:
            self.fields["campaign"].queryset = usable_campaigns(
                user, self.fields["campaign"].queryset)
            for name in ("unit", "procedure", "officer"):
                self.fields[name].queryset = restrict(self.fields[name].queryset, user)
            self.own_units = bound_unit_list(user)
        if keeps_month_tallies():
            # Whether responses wait to be rolled up into the tallies (PostgreSQL), read
            # with the campaign rather than in a query of its own (``ReportFilters.roll_up``).
            self.fields["campaign"].queryset = self.fields["campaign"].queryset.annotate(
                tally_queue=models.Exists(PendingTally.objects.all()))

    # The lists of the filter bar: each field's (label columns, how a label is made of them).
    # A round also brings its campaign and dates (``rounds_of``).
    _CHOICE_COLUMNS = {
        "campaign": (("title", None), lambda a, _b: Campaign(title=a)),
        "round": (("campaign__title", "name"),
                  lambda a, b: Round(name=b, campaign=Campaign(title=a))),
        "unit": (("name", None), lambda a, _b: Unit(name=a)),
        "sector": (("name", None), lambda a, _b: Sector(name=a)),
        "procedure": (("code", "name"), lambda a, b: Procedure(code=a, name=b)),
        "officer": (("name", "title"), lambda a, b: Officer(name=a, title=b or "")),
    }

    def load_choices(self):
        """Read the six lists of the filter bar (campaigns, rounds, units, fields,
        procedures, officers, each as the user may see it) in one query, ``UNION ALL`` of
        the fields' own querysets, instead of one query per list when the form is shown."""
        from django.db.models import CharField, IntegerField, Value, Window
        from django.db.models.functions import RowNumber

        parts = []
        for name, ((first, second), _make) in self._CHOICE_COLUMNS.items():
            queryset = self.fields[name].queryset
            ordering = queryset.query.order_by or queryset.model._meta.ordering
            parts.append(queryset.order_by().annotate(
                choice_list=Value(name, output_field=CharField()),
                choice_a=models.F(first),
                choice_b=(models.F(second) if second
                          else Value(None, output_field=CharField())),
                choice_rank=Window(RowNumber(), order_by=[
                    models.F(f[1:]).desc() if f.startswith("-") else models.F(f).asc()
                    for f in ordering], output_field=IntegerField()),
                **{f"choice_{column}": (models.F(column) if name == "round"
                                        else Value(None, output_field=field))
                   for column, field in (("campaign_id", IntegerField()),
                                         ("starts_on", models.DateField()),
                                         ("ends_on", models.DateField()))},
            ).values_list("choice_list", "pk", "choice_a", "choice_b", "choice_rank",
                          "choice_campaign_id", "choice_starts_on", "choice_ends_on"))
        rows = sorted(parts[0].union(*parts[1:], all=True), key=lambda row: row[4])
        choices = {name: [] for name in self._CHOICE_COLUMNS}
        self._rounds = {}
        for name, pk, first, second, _rank, campaign_id, starts_on, ends_on in rows:
            label = self.fields[name].label_from_instance(
                self._CHOICE_COLUMNS[name][1](first, second))
            choices[name].append((pk, label))
            if name == "round":
                self._rounds.setdefault(campaign_id, []).append(Round(
                    pk=pk, campaign_id=campaign_id, name=second, starts_on=starts_on,
                    ends_on=ends_on))
        for name, found in choices.items():
            field = self.fields[name]
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            field.choices = empty + found

    def rounds_of(self, campaign):
        """The rounds of ``campaign`` (name and dates, in order) as :meth:`load_choices`
        read them for the round list; None before it has."""
        rounds = getattr(self, "_rounds", None)
        return None if rounds is None else rounds.get(campaign.pk, [])

    def clean(self):
        data = super().clean()
        if self.units is not None and data.get("campaign") and not data.get("unit"):
            campaign = data["campaign"]
            if not sees_unit(self.user, campaign.unit):
                # The campaign's unit is above the user's: report on the user's unit.
                if len(self.own_units) == 1:
                    data["unit"] = self.own_units[0]
                else:
                    self.add_error("unit", _("Choose one of your units."))
        kind = data.get("period")
        campaign, round_ = data.get("campaign"), data.get("round")
        if round_ and campaign and round_.campaign_id != campaign.pk:
            self.add_error("round", _("This round belongs to another campaign."))
        if kind in PERIOD_PARTS:
            if not data.get("year"):
                self.add_error("year", _("Choose the year."))
            number = data.get("number") or 1
            if PERIOD_PARTS[kind] > 1 and not data.get("number"):
                # Never a silent "1": a quarter without its number is not Q1.
                self.add_error("number", _("Choose which %(kind)s (1–%(last)s).")
                               % {"kind": Period(kind).label.lower(),
                                  "last": PERIOD_PARTS[kind]})
            elif number > PERIOD_PARTS[kind]:
                self.add_error("number", _("There is no %(kind)s number %(number)s.")
                               % {"kind": Period(kind).label.lower(), "number": number})
        if kind == Period.CUSTOM:
            if not data.get("date_from") and not data.get("date_to"):
                self.add_error("date_from", _("Give at least one of the two dates."))
            elif (data.get("date_from") and data.get("date_to")
                  and data["date_to"] < data["date_from"]):
                self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self):
        """The :class:`ReportFilters` of a valid form."""
        data = self.cleaned_data
        start = end = None
        kind = data.get("period")
        if kind in PERIOD_PARTS:
            start, end = period_dates(kind, data["year"], data.get("number") or 1)
        elif kind == Period.CUSTOM:
            start, end = data.get("date_from"), data.get("date_to")
        round_ = data.get("round")
        if round_:
            start = max(start, round_.starts_on) if start else round_.starts_on
            end = min(end, round_.ends_on) if end else round_.ends_on
        return ReportFilters(
            campaign=data["campaign"], start=start, end=end, unit=data.get("unit"),
            procedure=data.get("procedure"), sector=data.get("sector"),
            officer=data.get("officer"), channel=data.get("channel") or "", round=round_,
            units=self.units,
        )
