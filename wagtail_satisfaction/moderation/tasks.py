"""The automatic first sort of a new comment, run by the task worker (django-tasks)."""

from django_tasks import task


@task()
def sort_comment_task(comment_id):
    """Sort a comment a submission stored, unless a person or a re-sort came first."""
    from ..models import Comment, ModerationState
    from .decisions import sort_comment

    comment = (Comment.objects.select_related("campaign")
               .filter(pk=comment_id, state=ModerationState.PENDING, score__isnull=True).first())
    if comment is not None:
        sort_comment(comment)
