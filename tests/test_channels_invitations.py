"""Email invitations through a real SMTP server on loopback."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.channels_factories import make_dossier, make_unit
from tests.channels_smtp import smtp_server  # noqa: F401 (fixture)
from tests.factories import form_data, make_campaign
from wagtail_satisfaction.channels import invitations
from wagtail_satisfaction.models import Dossier, Response

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def channel_settings(settings, english):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.WAGTAIL_SATISFACTION_PUBLIC_BASE_URL = "https://dichvucong.example.vn"


def many_dossiers(campaign, count, unit=None):
    unit = unit or campaign.unit
    today = datetime.date.today()
    Dossier.objects.bulk_create(
        Dossier(code=f"{unit.code}-{n:05d}".upper(), unit=unit, email=f"nguoi{n}@example.vn",
                received_on=today - datetime.timedelta(days=10),
                returned_on=today - datetime.timedelta(days=1),
                secret_code=f"S{n:07d}")
        for n in range(count))


def link_in(message):
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https://dichvucong\.example\.vn(/\S*ho-so/danh-gia/\S+/)", body).group(1)


def test_thousand_invitations_in_batches_then_one_reminder_to_the_silent(smtp_server,  # noqa: F811
                                                                          settings):
    settings.WAGTAIL_SATISFACTION_INVITATION_BATCH_SIZE = 200
    campaign = make_campaign()
    many_dossiers(campaign, 1000)
    Dossier.objects.filter(code__in=[f"{campaign.unit.code.upper()}-{n:05d}"
                                     for n in range(10)]).update(opted_out=True)
    make_dossier(campaign.unit, returned=False, email="cho@example.vn")   # not returned
    make_dossier(campaign.unit, email="")                                 # no email

    result = invitations.enqueue(campaign)
    assert result.return_value == {"kind": "invitation", "sent": 990, "batches": 5,
                                   "failed": []}
    assert len(smtp_server.messages) == 990 and len(smtp_server.sessions) == 5
    recipients = smtp_server.recipients()
    assert len(set(recipients)) == 990
    assert not {f"nguoi{n}@example.vn" for n in range(10)} & set(recipients)
    assert "cho@example.vn" not in recipients

    # Nobody is invited twice; opting out via the email's link is honoured.
    assert invitations.enqueue(campaign).return_value["sent"] == 0
    client = Client()
    first = smtp_server.messages[:30]
    for _rcpts, message in first[:25]:
        assert client.post(link_in(message), form_data(campaign)).status_code == 200
    answered = {rcpts[0] for rcpts, _message in first[:25]}
    opted_out = first[29][0][0]
    opt_out = re.search(r"https://dichvucong\.example\.vn(/[^\s]*ho-so/ngung-nhan-thu/[^\s]+/)",
                        first[29][1].get_body(preferencelist=("plain",)).get_content()).group(1)
    client.post(opt_out)
    assert Response.objects.filter(channel="email").count() == 25

    # Reminders wait for the configured delay, then go only to those who did not answer.
    smtp_server.messages.clear()
    assert invitations.enqueue(campaign, invitations.REMINDER).return_value["sent"] == 0
    Dossier.objects.update(invited_at=timezone.now() - datetime.timedelta(days=8))
    result = invitations.enqueue(campaign, invitations.REMINDER)
    assert result.return_value["sent"] == 990 - 25 - 1
    reminded = set(smtp_server.recipients())
    assert len(reminded) == 964
    assert not answered & reminded and opted_out not in reminded
    assert all(message["Subject"].startswith("Reminder") for _r, message in
               smtp_server.messages)
    assert not {f"nguoi{n}@example.vn" for n in range(10)} & reminded
    # ...and only once.
    assert invitations.enqueue(campaign, invitations.REMINDER).return_value["sent"] == 0


def test_message_carries_links_secret_code_and_unsubscribe_header(smtp_server):  # noqa: F811
    campaign = make_campaign()
    dossier = make_dossier(campaign.unit, email="dan@example.vn", applicant_name="Lê Văn Dân")
    invitations.send(campaign)
    (rcpts, message), = smtp_server.messages
    assert rcpts == ["dan@example.vn"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Dear Lê Văn Dân" in body and dossier.secret_code in body
    assert "ho-so/ngung-nhan-thu/" in message["List-Unsubscribe"]
    assert message.get_body(preferencelist=("html",)) is not None


def test_response_rates_per_unit_against_the_target():
    campaign = make_campaign(target_return_rate=80)
    office = make_unit("Một cửa", parent=campaign.unit)
    many_dossiers(campaign, 5)
    many_dossiers(campaign, 4, unit=office)
    make_dossier(office, returned=False)  # not yet due a form
    from tests.factories import full_answers
    from wagtail_satisfaction.services import submit_response

    for code in Dossier.objects.filter(unit=campaign.unit).values_list("code", flat=True)[:4]:
        submit_response(campaign, answers=full_answers(campaign), dossier_code=code,
                        channel="paper", dossier_proven=True)
    submit_response(campaign, answers=full_answers(campaign),
                    dossier_code=Dossier.objects.filter(unit=office, returned_on__isnull=False)
                    .first().code, dossier_proven=True)
    rates = {row["unit"]: row for row in invitations.response_rates(campaign)}
    top, sub = rates[campaign.unit.pk], rates[office.pk]
    assert (top["dossiers"], top["answered"], str(top["rate"]), top["meets_target"]) == (
        5, 4, "80.00", True)
    assert (sub["dossiers"], sub["answered"], str(sub["rate"]), sub["meets_target"]) == (
        4, 1, "25.00", False)
    total = invitations.response_total(campaign)
    assert (total["dossiers"], total["answered"], str(total["rate"])) == (9, 5, "55.56")


def test_command_sends_now_or_queues(smtp_server, settings):  # noqa: F811
    from io import StringIO

    from django.core.management import call_command

    campaign = make_campaign()
    many_dossiers(campaign, 3)
    out = StringIO()
    call_command("send_survey_invitations", campaign.slug, "--now", stdout=out)
    assert "3 invitations sent in 1 batches" in out.getvalue()
    call_command("send_survey_invitations", campaign.slug, stdout=out)
    assert len(smtp_server.messages) == 3


def test_refused_address_is_reported_and_others_still_get_mail(smtp_server):  # noqa: F811
    campaign = make_campaign()
    make_dossier(campaign.unit, code="HS-1", email="refuse@example.vn")
    make_dossier(campaign.unit, code="HS-2", email="ok@example.vn")
    report = invitations.send(campaign)
    assert report.failed == ["HS-1"] and report.sent == 1
    assert smtp_server.recipients() == ["ok@example.vn"]


def test_a_server_failure_releases_the_unsent_for_the_next_run(settings):
    campaign = make_campaign()
    many_dossiers(campaign, 3)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with pytest.raises(OSError):
        invitations.send(campaign)
    assert not Dossier.objects.filter(invited_at__isnull=False).exists()
    assert invitations.candidates(campaign).count() == 3
