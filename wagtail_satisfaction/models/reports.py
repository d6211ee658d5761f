"""Reporting data: daily tallies kept by submit_response, dossier counts, export jobs.

The tallies are a rollup of ``Answer``/``Response`` by campaign, local day, unit and
channel, maintained in the same transaction as each stored response. The report reads them
instead of millions of raw answers whenever its filters allow (see ``reports.stats``).
"""

import uuid
from decimal import ROUND_DOWN

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from ..formats import short_date


def new_uid():
    return uuid.uuid4()


class AnswerTally(models.Model):
    """How a question was answered, per campaign, local day and unit: one count per value.

    One row per question (values as columns, scales use 0–5) keeps the table small enough
    for a whole-campaign report to sum in well under a second. Channel is left out on
    purpose: it would multiply the rows by nine; the report reads raw answers for a channel.
    """

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.CASCADE,
                                 related_name="+")
    day = models.DateField()
    unit = models.ForeignKey("wagtail_satisfaction.Unit", on_delete=models.CASCADE,
                             related_name="+")
    question = models.ForeignKey("wagtail_satisfaction.Question", on_delete=models.CASCADE,
                                 related_name="+")
    v0 = models.PositiveIntegerField(default=0)
    v1 = models.PositiveIntegerField(default=0)
    v2 = models.PositiveIntegerField(default=0)
    v3 = models.PositiveIntegerField(default=0)
    v4 = models.PositiveIntegerField(default=0)
    v5 = models.PositiveIntegerField(default=0)
    na = models.PositiveIntegerField(default=0)

    VALUES = range(6)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "day", "unit", "question"],
                                               name="satisfaction_answer_tally_key")]

    def __str__(self):
        return f"{self.day} {self.unit_id} {self.question_id}"


class ResponseTally(models.Model):
    """Responses and their satisfied / applicable index answers per campaign, day, unit, channel."""

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.CASCADE,
                                 related_name="+")
    day = models.DateField()
    unit = models.ForeignKey("wagtail_satisfaction.Unit", on_delete=models.CASCADE,
                             related_name="+")
    channel = models.CharField(max_length=20)
    responses = models.PositiveIntegerField(default=0)
    index_applicable = models.PositiveIntegerField(default=0)
    index_satisfied = models.PositiveIntegerField(default=0)
    points = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "day", "unit", "channel"],
                                               name="satisfaction_response_tally_key")]

    def __str__(self):
        return f"{self.day} {self.unit_id} {self.channel}: {self.responses}"


class _MonthTally(models.Model):
    """Monthly tallies keyed by what the daily ones leave out (procedure, field, officer).

    The daily tallies know day, unit and channel; these know the local month, unit and
    channel plus a procedure (``ProcedureTally``: the field follows from it) or a field and
    an officer (``OfficerTally``), so that the report's breakdowns by procedure, field and
    officer, and its filters on them, read a few hundred thousand rows instead of every
    answer. Two narrow keys rather than one wide one: procedure × officer × channel per unit
    and month would hold nearly a row per response. Keys are plain numbers, 0 for none
    (a response naming no procedure or officer), so that the key is never NULL.
    """

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.CASCADE,
                                 related_name="+")
    month = models.DateField()  # the first day of the local month
    unit = models.ForeignKey("wagtail_satisfaction.Unit", on_delete=models.CASCADE,
                             related_name="+")
    channel = models.CharField(max_length=20)

    class Meta:
        abstract = True


class _ResponseCounts(models.Model):
    responses = models.PositiveIntegerField(default=0)
    index_applicable = models.PositiveIntegerField(default=0)
    index_satisfied = models.PositiveIntegerField(default=0)
    points = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class _AnswerCounts(models.Model):
    question = models.ForeignKey("wagtail_satisfaction.Question", on_delete=models.CASCADE,
                                 related_name="+")
    v0 = models.PositiveIntegerField(default=0)
    v1 = models.PositiveIntegerField(default=0)
    v2 = models.PositiveIntegerField(default=0)
    v3 = models.PositiveIntegerField(default=0)
    v4 = models.PositiveIntegerField(default=0)
    v5 = models.PositiveIntegerField(default=0)
    na = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ProcedureResponseTally(_MonthTally, _ResponseCounts):
    """Responses per campaign, month, unit, channel and procedure (0: none)."""

    procedure_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "month", "unit", "channel", "procedure_key"],
            name="satisfaction_procedure_response_tally_key")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.unit_id} {self.channel}"


class ProcedureAnswerTally(_MonthTally, _AnswerCounts):
    """Answers per campaign, month, unit, channel, procedure (0: none) and question."""

    procedure_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "month", "unit", "channel", "procedure_key", "question"],
            name="satisfaction_procedure_answer_tally_key")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.unit_id} {self.channel}"


class OfficerResponseTally(_MonthTally, _ResponseCounts):
    """Responses per campaign, month, unit, channel, field and officer (0: none)."""

    sector_key = models.BigIntegerField(default=0)
    officer_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "month", "unit", "channel", "sector_key", "officer_key"],
            name="satisfaction_officer_response_tally_key")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.unit_id} {self.channel}"


class OfficerAnswerTally(_MonthTally, _AnswerCounts):
    """Answers per campaign, month, unit, channel, field, officer (0: none) and question."""

    sector_key = models.BigIntegerField(default=0)
    officer_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "month", "unit", "channel", "sector_key", "officer_key",
                    "question"], name="satisfaction_officer_answer_tally_key")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.unit_id} {self.channel}"


class ProcedureOfficerResponseTally(_ResponseCounts):
    """Responses per campaign, local month, unit, procedure and officer (0: none), without
    the channel: the officers of one procedure, the procedures of one officer."""

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.CASCADE,
                                 related_name="+")
    month = models.DateField()  # the first day of the local month
    unit = models.ForeignKey("wagtail_satisfaction.Unit", on_delete=models.CASCADE,
                             related_name="+")
    procedure_key = models.BigIntegerField(default=0)
    officer_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "month", "unit", "procedure_key", "officer_key"],
            name="satisfaction_procedure_officer_response_tally_key")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.unit_id} {self.procedure_key} {self.officer_key}"


class ProcedureOfficerAnswerTally(_AnswerCounts):
    """Answers per campaign, local month, unit, procedure, officer (0: none) and question."""

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.CASCADE,
                                 related_name="+")
    month = models.DateField()
    unit = models.ForeignKey("wagtail_satisfaction.Unit", on_delete=models.CASCADE,
                             related_name="+")
    procedure_key = models.BigIntegerField(default=0)
    officer_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "month", "unit", "procedure_key", "officer_key", "question"],
            name="satisfaction_procedure_officer_answer_tally_key")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.unit_id} {self.procedure_key} {self.officer_key}"


class _UnitMonthTally(models.Model):
    """Monthly tallies without the channel (``_MonthTally`` has it): what a report on every
    channel reads, nine times fewer rows."""

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.CASCADE,
                                 related_name="+")
    month = models.DateField()  # the first day of the local month
    unit = models.ForeignKey("wagtail_satisfaction.Unit", on_delete=models.CASCADE,
                             related_name="+")

    class Meta:
        abstract = True


class ProcedureAllChannelsResponseTally(_UnitMonthTally, _ResponseCounts):
    """Responses per campaign, local month, unit and procedure (0: none), every channel."""

    procedure_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "month", "unit", "procedure_key"],
            name="satisfaction_procedure_all_channels_response_tally_key")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.unit_id} {self.procedure_key}"


class ProcedureAllChannelsAnswerTally(_UnitMonthTally, _AnswerCounts):
    """Answers per campaign, local month, unit, procedure (0: none) and question."""

    procedure_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "month", "unit", "procedure_key", "question"],
            name="satisfaction_procedure_all_channels_answer_tally_key")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.unit_id} {self.procedure_key}"


class OfficerAllChannelsResponseTally(_UnitMonthTally, _ResponseCounts):
    """Responses per campaign, local month, unit, field and officer (0: none), every
    channel."""

    sector_key = models.BigIntegerField(default=0)
    officer_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "month", "unit", "sector_key", "officer_key"],
            name="satisfaction_officer_all_channels_response_tally_key")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.unit_id} {self.officer_key}"


class OfficerAllChannelsAnswerTally(_UnitMonthTally, _AnswerCounts):
    """Answers per campaign, local month, unit, field, officer (0: none) and question."""

    sector_key = models.BigIntegerField(default=0)
    officer_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "month", "unit", "sector_key", "officer_key", "question"],
            name="satisfaction_officer_all_channels_answer_tally_key")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.unit_id} {self.officer_key}"


class ChannelMonthAnswerTally(_MonthTally, _AnswerCounts):
    """Answers per campaign, local month, unit, channel and question: a channel's answers
    (``AnswerTally`` has no channel) over whole months."""

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "month", "unit", "channel", "question"],
            name="satisfaction_channel_month_answer_tally_key")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.unit_id} {self.channel}"


class _DayTally(models.Model):
    """Daily tallies keyed by procedure or by field and officer, without the channel.

    They serve the days a custom period takes from a month it cuts (the whole months come
    from the monthly tallies, ``reports.stats``): at most two partial months, so a report
    on any dates reads a few thousand of these rows per partial month. The channel is left
    out: a report without one reads these, up to nine times fewer rows than with it (those
    with it, for a report with a channel, are :class:`_ChannelDayTally`). Keys as in
    :class:`_MonthTally`.
    """

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.CASCADE,
                                 related_name="+")
    day = models.DateField()  # the local day
    unit = models.ForeignKey("wagtail_satisfaction.Unit", on_delete=models.CASCADE,
                             related_name="+")

    class Meta:
        abstract = True


class ProcedureDayResponseTally(_DayTally, _ResponseCounts):
    """Responses per campaign, local day, unit and procedure (0: none)."""

    procedure_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "day", "unit", "procedure_key"],
            name="satisfaction_procedure_day_response_tally_key")]

    def __str__(self):
        return f"{self.day} {self.unit_id} {self.procedure_key}"


class ProcedureDayAnswerTally(_DayTally, _AnswerCounts):
    """Answers per campaign, local day, unit, procedure (0: none) and question."""

    procedure_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "day", "unit", "procedure_key", "question"],
            name="satisfaction_procedure_day_answer_tally_key")]

    def __str__(self):
        return f"{self.day} {self.unit_id} {self.procedure_key}"


class OfficerDayResponseTally(_DayTally, _ResponseCounts):
    """Responses per campaign, local day, unit, field and officer (0: none)."""

    sector_key = models.BigIntegerField(default=0)
    officer_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "day", "unit", "sector_key", "officer_key"],
            name="satisfaction_officer_day_response_tally_key")]

    def __str__(self):
        return f"{self.day} {self.unit_id} {self.officer_key}"


class OfficerDayAnswerTally(_DayTally, _AnswerCounts):
    """Answers per campaign, local day, unit, field, officer (0: none) and question."""

    sector_key = models.BigIntegerField(default=0)
    officer_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "day", "unit", "sector_key", "officer_key", "question"],
            name="satisfaction_officer_day_answer_tally_key")]

    def __str__(self):
        return f"{self.day} {self.unit_id} {self.officer_key}"


class ChannelDayAnswerTally(_DayTally, _AnswerCounts):
    """Answers per campaign, local day, unit, channel and question.

    ``AnswerTally`` leaves the channel out (nine times the rows, for a whole-campaign
    report that needs none); this one serves a channel filter or the channel breakdown on
    the days a custom period takes from a month it cuts (PostgreSQL only).
    """

    channel = models.CharField(max_length=20)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "day", "unit", "channel", "question"],
            name="satisfaction_channel_day_answer_tally_key")]

    def __str__(self):
        return f"{self.day} {self.unit_id} {self.channel}"


class _ChannelDayTally(_DayTally):
    """Daily tallies keyed by the channel together with a field (PostgreSQL only).

    They serve the days a custom period takes from a month it cuts when the report has a
    channel and a field together (a field filter with the channel breakdown, a channel
    filter with the field breakdown): the daily tallies above have one or the other, so
    those days were read from all their raw answers (2.4 s over a million responses).
    Daily tallies by channel and procedure, or channel, field and officer, were tried and
    dropped: close to a row per answer (4.6 GB at a million responses, twice the answers)
    and a roll-up 35-60 % dearer, for custom dates with a channel 2.0 → 1.3 s; those
    reports read the raw rows of their one channel, end day by end day.
    """

    channel = models.CharField(max_length=20)

    class Meta:
        abstract = True


class ChannelSectorDayResponseTally(_ChannelDayTally, _ResponseCounts):
    """Responses per campaign, local day, unit, channel and field (0: none)."""

    sector_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "day", "unit", "channel", "sector_key"],
            name="satisfaction_channel_sector_day_response_tally_key")]

    def __str__(self):
        return f"{self.day} {self.unit_id} {self.channel} {self.sector_key}"


class ChannelSectorDayAnswerTally(_ChannelDayTally, _AnswerCounts):
    """Answers per campaign, local day, unit, channel, field (0: none) and question."""

    sector_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "day", "unit", "channel", "sector_key", "question"],
            name="satisfaction_channel_sector_day_answer_tally_key")]

    def __str__(self):
        return f"{self.day} {self.unit_id} {self.channel} {self.sector_key}"


class _WeekTally(models.Model):
    """Weekly tallies keyed by the channel with a procedure, or a field and an officer
    (PostgreSQL only).

    They serve the days a custom period takes from a month it cuts when the report has a
    channel and a breakdown or filter by procedure or officer: no daily tally has those
    keys together (one would hold nearly a row per answer, see :class:`_ChannelDayTally`),
    so those days were read from the raw answers of their channel, 0.5 s for two partial
    months over a million responses. A week holds seven days' responses in one row per
    key, and a partial month holds at most four whole weeks: only the days before its
    first Monday and after its last Sunday are read raw. Keys as in :class:`_MonthTally`.
    """

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.CASCADE,
                                 related_name="+")
    week = models.DateField()  # the Monday of the local week
    unit = models.ForeignKey("wagtail_satisfaction.Unit", on_delete=models.CASCADE,
                             related_name="+")
    channel = models.CharField(max_length=20)

    class Meta:
        abstract = True


class ProcedureWeekResponseTally(_WeekTally, _ResponseCounts):
    """Responses per campaign, local week, unit, channel and procedure (0: none)."""

    procedure_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "week", "unit", "channel", "procedure_key"],
            name="satisfaction_procedure_week_response_tally_key")]

    def __str__(self):
        return f"{self.week} {self.unit_id} {self.channel} {self.procedure_key}"


class ProcedureWeekAnswerTally(_WeekTally, _AnswerCounts):
    """Answers per campaign, local week, unit, channel, procedure (0: none) and question."""

    procedure_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "week", "unit", "channel", "procedure_key", "question"],
            name="satisfaction_procedure_week_answer_tally_key")]

    def __str__(self):
        return f"{self.week} {self.unit_id} {self.channel} {self.procedure_key}"


class OfficerWeekResponseTally(_WeekTally, _ResponseCounts):
    """Responses per campaign, local week, unit, channel, field and officer (0: none)."""

    sector_key = models.BigIntegerField(default=0)
    officer_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "week", "unit", "channel", "sector_key", "officer_key"],
            name="satisfaction_officer_week_response_tally_key")]

    def __str__(self):
        return f"{self.week} {self.unit_id} {self.channel} {self.officer_key}"


class OfficerWeekAnswerTally(_WeekTally, _AnswerCounts):
    """Answers per campaign, local week, unit, channel, field, officer (0: none) and
    question."""

    sector_key = models.BigIntegerField(default=0)
    officer_key = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["campaign", "week", "unit", "channel", "sector_key", "officer_key",
                    "question"], name="satisfaction_officer_week_answer_tally_key")]

    def __str__(self):
        return f"{self.week} {self.unit_id} {self.channel} {self.officer_key}"


class PendingTally(models.Model):
    """A stored response not yet added to the daily tallies (PostgreSQL only).

    On PostgreSQL a submission queues its response here instead of updating the tally rows
    that every other submission of the day updates too; ``reports.rollup.roll_up_pending``
    moves the queue into the tallies in one statement (the task worker soon after, and every
    reader of the tallies first, so the figures are exact at all times).
    """

    response = models.OneToOneField("wagtail_satisfaction.Response", on_delete=models.CASCADE,
                                    primary_key=True, related_name="+")

    def __str__(self):
        return str(self.response_id)


class DossierCount(models.Model):
    """Dossiers a unit handled (and survey forms it handed out) in a period, typed in or imported.

    The denominator of the "share of dossiers" and "forms returned" targets, and of the
    Decision 766 ratio.
    """

    unit = models.ForeignKey("wagtail_satisfaction.Unit", verbose_name=_("unit"),
                             on_delete=models.CASCADE, related_name="dossier_counts")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    dossiers = models.PositiveIntegerField(_("dossiers handled"))
    forms_handed_out = models.PositiveIntegerField(
        _("survey forms handed out"), null=True, blank=True,
        help_text=_("Leave empty if unknown; the return rate is then not shown."))

    panels = [
        FieldPanel("unit"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        FieldPanel("dossiers"), FieldPanel("forms_handed_out"),
    ]

    class Meta:
        verbose_name = _("dossier count")
        verbose_name_plural = _("dossier counts")
        ordering = ["unit__path", "starts_on"]
        constraints = [models.UniqueConstraint(fields=["unit", "starts_on", "ends_on"],
                                               name="satisfaction_dossier_count_period")]

    def __str__(self):
        return _("%(unit)s, %(start)s–%(end)s: %(count)s dossiers") % {
            "unit": self.unit, "start": short_date(self.starts_on),
            "end": short_date(self.ends_on), "count": self.dossiers}

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The period cannot end before it starts.")})


class ExportJob(models.Model):
    """A large export running in the background; the user downloads the file when done."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filters = models.JSONField(default=dict)
    format = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="satisfaction_exports/", blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.format} export #{self.pk} ({self.status})"

    @property
    def percent(self):
        """Responses written so far, in whole percent rounded down (for a progress bar)."""
        from ..reports.stats import share  # imported here: the reports package imports the models

        if self.status == self.Status.DONE:
            return 100
        return int(share(self.done, self.total, places=0, rounding=ROUND_DOWN) or 0)
