"""The scheduled personal-data purge, as a django-tasks task."""

from django_tasks import task

from ..models import PurgeRun
from .purge import purge_personal_data


@task()
def purge_personal_data_task():
    """Run the purge on the task worker; returns the counts per kind."""
    return purge_personal_data(trigger=PurgeRun.Trigger.TASK).counts
