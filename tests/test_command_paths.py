"""The report and purge commands' other paths: HTML on standard output, a refused binary
format there, the purge queued on the worker or switched off."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.models import DBTaskResult

from tests.reports_factories import build_hand_dataset

pytestmark = pytest.mark.django_db


def test_the_report_command_prints_html_and_refuses_a_binary_format_on_standard_output(
        capsys):
    build_hand_dataset()
    call_command("satisfaction_report", "--campaign", "khao-sat-2025", "--format", "html",
                 "--output", "-")
    html = capsys.readouterr().out
    assert "<html" in html and "Số phiếu hợp lệ: 5." in html
    with pytest.raises(CommandError, match="need a file path"):
        call_command("satisfaction_report", "--campaign", "khao-sat-2025", "--format", "docx",
                     "--output", "-")


def test_the_purge_can_be_queued_for_the_worker(capsys):
    call_command("satisfaction_purge", "--enqueue")
    out = capsys.readouterr().out
    task = DBTaskResult.objects.get(task_path__endswith="purge_personal_data_task")
    assert f"Purge queued as task {task.id}." in out


def test_the_purge_does_nothing_when_retention_is_switched_off(settings, capsys):
    settings.WAGTAIL_SATISFACTION_PERSONAL_DATA_RETENTION_DAYS = None
    call_command("satisfaction_purge")
    assert "personal data is kept; nothing to purge" in capsys.readouterr().out
