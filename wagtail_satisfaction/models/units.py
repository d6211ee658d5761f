"""Who is rated: organisational units, the procedures they handle, their officers."""

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Department (Sở)")
    OFFICE = "office", _("Office (Phòng)")
    CENTRE = "centre", _("Public administration centre")
    PROVINCE = "province", _("Provincial people's committee")
    COMMUNE = "commune", _("Commune / ward")
    SUB_UNIT = "sub_unit", _("Sub-unit")
    OTHER = "other", _("Other")


# Each step of a unit's path is its primary key written with this many digits, so that the
# paths sort as the tree reads: a unit before its sub-units, and sub-units in the order they
# were made (unpadded, "1/10/" sorted before "1/9/" and looked one level deeper than "1/").
PATH_DIGITS = 9


def path_step(pk):
    return f"{pk:0{PATH_DIGITS}d}/"


class UnitQuerySet(models.QuerySet):
    def within(self, unit):
        """The unit and all its sub-units, matched by the tree path, never by name."""
        return self.filter(path__startswith=unit.path)


class Unit(index.Indexed, models.Model):
    """An organisational unit. Units form a tree of any depth (two-tier local government)."""

    name = models.CharField(_("name"), max_length=255)
    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices,
                            default=UnitKind.OFFICE)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # Materialised path of primary keys ("000000012/000000040/", see PATH_DIGITS), kept by
    # save(); lets "a unit with its sub-units" be one indexed prefix match instead of a
    # recursive query, and ordering by it lists the tree in order.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = UnitQuerySet.as_manager()

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self):
        return self.name

    @transaction.atomic
    def save(self, *args, **kwargs):
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent_id else ''}{path_step(self.pk)}"
        if new_path != old_path:
            Unit.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:
                # Re-root descendants after a move.
                for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.path = new_path + child.path[len(old_path):]
                    Unit.objects.filter(pk=child.pk).update(path=child.path)

    def clean(self):
        from django.core.exceptions import ValidationError

        ancestor = self.parent
        while ancestor is not None:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A unit cannot be inside itself.")})
            ancestor = ancestor.parent

    @property
    def depth(self):
        return self.path.count("/")

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        return Unit.objects.filter(pk__in=ids).order_by("path")


class Sector(models.Model):
    """A field of administrative procedures ("lĩnh vực"): land, construction, civil status…"""

    name = models.CharField(_("name"), max_length=255, unique=True)

    class Meta:
        verbose_name = _("field (lĩnh vực)")
        verbose_name_plural = _("fields (lĩnh vực)")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Procedure(index.Indexed, models.Model):
    """An administrative procedure (TTHC) or public service (DVC)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=500)
    sector = models.ForeignKey(Sector, verbose_name=_("field (lĩnh vực)"),
                               on_delete=models.PROTECT, related_name="procedures")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="procedures")
    is_active = models.BooleanField(_("active"), default=True)

    search_fields = [
        index.SearchField("name"), index.SearchField("code"), index.AutocompleteField("name"),
    ]

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["name"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class Officer(index.Indexed, models.Model):
    """A civil servant who receives dossiers and can be rated."""

    name = models.CharField(_("name"), max_length=255)
    title = models.CharField(_("job title"), max_length=255, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="officers")
    photo = models.ForeignKey("wagtailimages.Image", verbose_name=_("photo"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.title})" if self.title else self.name
