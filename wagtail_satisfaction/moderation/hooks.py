"""Wagtail hooks of comment moderation (imported by the app's ``wagtail_hooks``)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from ..models import ModerationState
from .decisions import AUTO_SORT_ACTION, MODERATE_ACTION, UNDO_ACTION


def _state_label(value):
    try:
        return ModerationState(value).label
    except ValueError:
        return value or "–"


@hooks.register("register_log_actions")
def register_moderation_log_actions(actions):
    @actions.register_action(MODERATE_ACTION)
    class ModerateComment(LogFormatter):
        label = _("Moderate comment")

        def format_message(self, log_entry):
            return _("Marked %(to)s (was %(from)s)") % {
                "to": _state_label(log_entry.data.get("to")),
                "from": _state_label(log_entry.data.get("from")),
            }

        def format_comment(self, log_entry):
            return log_entry.data.get("reason", "")

    @actions.register_action(AUTO_SORT_ACTION)
    class AutoSortComment(LogFormatter):
        label = _("Automatic comment sort")

        def format_message(self, log_entry):
            return _("Automatically marked %(to)s (was %(from)s)") % {
                "to": _state_label(log_entry.data.get("to")),
                "from": _state_label(log_entry.data.get("from")),
            }

    @actions.register_action(UNDO_ACTION)
    class UndoCommentDecision(LogFormatter):
        label = _("Undo a comment decision")

        def format_message(self, log_entry):
            return _("Decision undone: back to %(to)s (was %(from)s)") % {
                "to": _state_label(log_entry.data.get("to")),
                "from": _state_label(log_entry.data.get("from")),
            }
