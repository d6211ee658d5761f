"""Background exports through django-tasks, with progress stored on the ExportJob."""

import tempfile

from django.core.files import File
from django_tasks import task

from ..models import ExportJob
from .exports import ExportRequest
from .rollup import roll_up_pending


@task()
def roll_up_tallies():
    """Add the responses submitted since the last roll-up to the daily tallies."""
    return roll_up_pending()


@task()
def run_export(job_id):
    """Write the export of an ExportJob to its file, updating ``done`` as chunks are written."""
    job = ExportJob.objects.get(pk=job_id)
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.RUNNING)
    try:
        export = ExportRequest.from_job(job)

        def progress(done):
            ExportJob.objects.filter(pk=job_id).update(done=done)

        with tempfile.TemporaryFile() as handle:
            export.write(handle, progress=progress)
            handle.seek(0)
            job.file.save(export.filename, File(handle), save=False)
        ExportJob.objects.filter(pk=job_id).update(
            file=job.file.name, status=ExportJob.Status.DONE, done=job.total)
    except Exception as error:
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED,
                                                   error=str(error))
        raise
