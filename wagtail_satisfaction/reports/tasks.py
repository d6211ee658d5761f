"""Background exports through django-tasks, with progress stored on the ExportJob."""

import tempfile

from django.core.files import File
from django.http import QueryDict
from django_tasks import task

from ..models import ExportJob
from .exports import export_filename, iter_csv, write_xlsx
from .filters import ReportFilterForm


@task()
def run_export(job_id):
    """Write the export of an ExportJob to its file, updating ``done`` as chunks are written."""
    job = ExportJob.objects.get(pk=job_id)
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.RUNNING)
    data = QueryDict(mutable=True)
    data.update({k: v for k, v in job.filters.items() if k in ReportFilterForm.base_fields})
    form = ReportFilterForm(data)
    try:
        if not form.is_valid():
            raise ValueError(form.errors.as_text())
        filters = form.filters()
        personal = bool(job.filters.get("personal"))

        def progress(done):
            ExportJob.objects.filter(pk=job_id).update(done=done)

        with tempfile.TemporaryFile() as handle:
            if job.format == "csv":
                done = 0
                for line in iter_csv(filters, job.filters.get("kind", "responses"), personal):
                    handle.write(line)
                    done += 1
                    if done % 5000 == 0:
                        progress(done)
            else:
                write_xlsx(handle, filters, personal=personal, progress=progress)
            handle.seek(0)
            job.file.save(export_filename(filters, job.format), File(handle), save=False)
        ExportJob.objects.filter(pk=job_id).update(
            file=job.file.name, status=ExportJob.Status.DONE, done=job.total)
    except Exception as error:
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED,
                                                   error=str(error))
        raise
