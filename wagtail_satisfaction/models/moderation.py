"""Moderation of comments: the queryset downstream code uses, the guard that keeps a
visitor's words final, and the per-site moderation setting."""

from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from ..moderation.text import fold

# The only columns of a stored comment that may change: its moderation.
MODERATION_FIELDS = frozenset({
    "state", "decided_by", "decided_at", "reason", "score", "suggested_state",
    "matched_terms",
})


class CommentIsFinal(PermissionDenied):
    """Raised on any attempt to change what a visitor wrote."""


class CommentQuerySet(models.QuerySet):
    """Comments with the filters that reports, exports and the queue share.

    Downstream code counts ``Comment.objects.relevant()`` only; ratings of every
    response still count whatever its comment's state.
    """

    def relevant(self):
        return self.filter(state="relevant")

    def pending(self):
        return self.filter(state="pending")

    def set_aside(self):
        """Off-topic and spam comments, kept for the record but never counted."""
        return self.filter(state__in=["off_topic", "spam"])

    def search(self, query):
        """Accent- and case-insensitive phrase search on the stored folded text.

        One ``LIKE '%phrase%'`` served by a trigram index on PostgreSQL. The phrase is
        kept whole: Vietnamese words are short syllables ("ho", "so"), too short for a
        trigram index on their own and far too common to mean anything apart.
        """
        phrase = fold(query)
        return self.filter(text_folded__contains=phrase) if phrase else self

    def update(self, **kwargs):
        changed = set(kwargs) - MODERATION_FIELDS
        if changed:
            raise CommentIsFinal(
                _("A comment's text cannot be changed; only its moderation can. "
                  "Refused fields: %(fields)s") % {"fields": ", ".join(sorted(changed))})
        return super().update(**kwargs)

    update.queryset_only = True


class FinalCommentMixin:
    """Keeps a stored comment's text, response and campaign as the visitor left them."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored = {name: getattr(instance, attname)
                            for name, attname in (("text", "text"), ("response", "response_id"),
                                                  ("campaign", "campaign_id"))
                            if attname in field_names}
        return instance

    def save(self, *args, **kwargs):
        if self._state.adding:
            # A new instance given the id of a stored comment would overwrite it.
            if self.pk is not None and type(self)._base_manager.filter(pk=self.pk).exists():
                raise CommentIsFinal(_("A stored comment cannot be replaced."))
            self.text_folded = fold(self.text)
        else:
            update_fields = kwargs.get("update_fields")
            refused = (set(update_fields) - MODERATION_FIELDS) if update_fields else set()
            stored = getattr(self, "_stored", {})
            current = {"text": self.text, "response": self.response_id,
                       "campaign": self.campaign_id}
            refused |= {name for name, value in stored.items() if current[name] != value}
            if refused:
                raise CommentIsFinal(
                    _("A comment's text cannot be changed; only its moderation can. "
                      "Refused fields: %(fields)s")
                    % {"fields": ", ".join(sorted(refused)) or "?"})
        super().save(*args, **kwargs)
        self._stored = {"text": self.text, "response": self.response_id,
                        "campaign": self.campaign_id}


@receiver(pre_save, sender="wagtail_satisfaction.Answer")
def _answers_are_final(sender, instance, raw=False, **kwargs):
    """A visitor's ratings are never edited once stored ("nghiêm cấm chỉnh sửa")."""
    if not raw and not instance._state.adding:
        raise CommentIsFinal(_("Stored ratings cannot be changed."))


@register_setting(icon="comment")
class ModerationSettings(BaseSiteSetting):
    """Per-site choice of the IT team: may the automatic sort decide confident cases?"""

    auto_accept = models.BooleanField(
        _("accept confident suggestions automatically"), default=False,
        help_text=_("When on, a new comment whose suggestion is at least as confident as "
                    "the threshold gets that state at once (recorded in its history as an "
                    "automatic decision). When off, every comment waits for a person."),
    )
    auto_accept_threshold = models.FloatField(
        _("confidence threshold"), null=True, blank=True, default=None,
        validators=[MinValueValidator(0.5), MaxValueValidator(1.0)],
        help_text=_("Between 0.5 and 1; higher means fewer automatic decisions. Leave empty "
                    "to use the classifier's calibrated threshold, at which at least 97 in "
                    "100 automatic decisions on held-out comments were right."),
    )

    panels = [FieldPanel("auto_accept"), FieldPanel("auto_accept_threshold")]

    class Meta:
        verbose_name = _("comment moderation settings")
