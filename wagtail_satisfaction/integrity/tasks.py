"""The verification as a background task (django-tasks), with progress on an IntegrityCheck."""

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from ..conf import get_setting
from ..models import IntegrityCheck
from .verify import campaigns_to_check, count_work, verify


def run_check(check, on_problem=None):
    """Run the verification an ``IntegrityCheck`` describes, recording progress and findings."""
    ids = campaigns_to_check(check.campaign_id)
    IntegrityCheck.objects.filter(pk=check.pk).update(
        status=IntegrityCheck.Status.RUNNING, total=count_work(ids), done=0)

    def progress(count):
        IntegrityCheck.objects.filter(pk=check.pk).update(done=F("done") + count)

    try:
        result = verify(ids, on_problem=on_problem, progress=progress,
                        keep=get_setting("INTEGRITY_PROBLEMS_KEPT"))
    except Exception as error:
        IntegrityCheck.objects.filter(pk=check.pk).update(
            status=IntegrityCheck.Status.ERROR, error=str(error), finished_at=timezone.now())
        raise
    IntegrityCheck.objects.filter(pk=check.pk).update(
        status=IntegrityCheck.Status.PASSED if result.ok else IntegrityCheck.Status.FAILED,
        finished_at=timezone.now(), responses_checked=result.responses_checked,
        problem_count=result.problem_count, heads=result.heads,
        problems=[problem.as_dict() for problem in result.problems])
    check.refresh_from_db()
    return result


@task()
def run_integrity_check(check_id):
    """Background entry point: the admin's "Verify now" enqueues this."""
    run_check(IntegrityCheck.objects.get(pk=check_id))
