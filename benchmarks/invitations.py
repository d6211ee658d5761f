"""Benchmark: email invitations to N dossiers through a real SMTP server on loopback.

Measures ``invitations.send()`` (claiming, building and sending in batches of
INVITATION_BATCH_SIZE messages per SMTP connection) against a reference measured in the
same run: the same messages sent the naive way, one SMTP connection each. Then a reminder
run to the dossiers that did not answer. Generates its own data and deletes it afterwards.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/channels \
        python benchmarks/invitations.py 1000

Prints the figures and writes benchmarks/results/invitations.json.
"""

import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")

import django  # noqa: E402

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from wagtail_satisfaction.channels import invitations  # noqa: E402
from wagtail_satisfaction.models import (  # noqa: E402
    Campaign,
    Dossier,
    Questionnaire,
    Response,
    Unit,
)
from wagtail_satisfaction.services import submit_response  # noqa: E402
from wagtail_satisfaction.standard_questionnaires import (  # noqa: E402
    SIPAS_CODE,
    install_standard_questionnaires,
)

PREFIX = "BENCH-INV-"


class Counter:
    def __init__(self):
        self.messages = 0
        self.sessions = set()

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.sessions.add(id(session))
        return "250 OK"


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configure_smtp(port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def make_data(size):
    install_standard_questionnaires()
    today = datetime.date.today()
    unit = Unit.objects.create(name="Benchmark unit", code="bench-invitations")
    campaign = Campaign.objects.create(
        title="Benchmark invitations", slug="bench-invitations", unit=unit,
        questionnaire=Questionnaire.objects.get(code=SIPAS_CODE, version=1),
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=30))
    Dossier.objects.bulk_create(
        Dossier(code=f"{PREFIX}{n:06d}", unit=unit, email=f"nguoi{n}@example.vn",
                received_on=today - datetime.timedelta(days=10),
                returned_on=today - datetime.timedelta(days=1),
                opted_out=(n % 50 == 0), secret_code=f"B{n:07d}")
        for n in range(size))
    return campaign


def clean_up():
    campaign = Campaign.objects.filter(slug="bench-invitations").first()
    if campaign:
        Response.objects.filter(campaign=campaign).delete()
        Dossier.objects.filter(code__startswith=PREFIX).delete()
        unit = campaign.unit
        campaign.delete()
        unit.delete()


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main(size):
    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    configure_smtp(port)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a fresh database works too
    clean_up()
    try:
        campaign = make_data(size)
        batch_size = invitations.get_setting("INVITATION_BATCH_SIZE")

        # Reference: the same messages sent the naive way, one SMTP connection each.
        sample = list(invitations.candidates(campaign).select_related("unit"))
        messages, build_seconds = timed(lambda: [
            invitations.build_message(d, campaign) for d in sample])
        before = counter.messages
        _, naive_seconds = timed(lambda: [message.send() for message in messages])
        naive_sent = counter.messages - before

        counter.sessions.clear()
        report, batched_seconds = timed(lambda: invitations.send(campaign))
        sessions = len(counter.sessions)

        # A fifth answer; reminders go to the rest after the delay.
        answers = {q: 4 for q in campaign.questionnaire.questions()
                   if 4 in q.spec.values} | {q: max(q.spec.values) for q in
                                             campaign.questionnaire.questions()
                                             if 4 not in q.spec.values}
        with transaction.atomic():
            for dossier in Dossier.objects.filter(code__startswith=PREFIX,
                                                  invited_at__isnull=False)[::5]:
                submit_response(campaign, answers=answers, dossier_code=dossier.code,
                                channel="email")
        Dossier.objects.filter(code__startswith=PREFIX).update(
            invited_at=timezone.now() - datetime.timedelta(days=8))
        answered = Response.objects.filter(campaign=campaign).count()
        reminder, reminder_seconds = timed(
            lambda: invitations.send(campaign, invitations.REMINDER))
        rates, rates_seconds = timed(lambda: invitations.response_rates(campaign))
        opted_out = Dossier.objects.filter(code__startswith=PREFIX, opted_out=True).count()

        results = {
            "dossiers": size, "database": connection.vendor, "batch_size": batch_size,
            "opted_out": opted_out,
            "building_messages_only": {
                "messages": len(messages), "seconds": round(build_seconds, 3)},
            "reference_one_connection_per_message": {
                "sent": naive_sent, "seconds_sending_only": round(naive_seconds, 3),
                "seconds_with_building": round(naive_seconds + build_seconds, 3),
                "messages_per_second": round(naive_sent / (naive_seconds + build_seconds),
                                             1)},
            "invitations_batched": {
                "sent": report.sent, "batches": report.batches, "smtp_sessions": sessions,
                "seconds": round(batched_seconds, 3),
                "messages_per_second": round(report.sent / batched_seconds, 1)},
            "reminders": {"answered_before": answered, "sent": reminder.sent,
                          "expected": size - opted_out - answered,
                          "seconds": round(reminder_seconds, 3)},
            "response_rates_query_seconds": round(rates_seconds, 4),
            "response_rate": str(rates[0]["rate"]) if rates else None,
            "measured_at": timezone.now().isoformat(timespec="seconds"),
        }
    finally:
        clean_up()
        controller.stop()
    print(json.dumps(results, indent=2))
    out = ROOT / "benchmarks" / "results" / "invitations.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
