"""Test helpers for the collection channels: dossiers, kiosk keys, spreadsheets."""

import datetime
import io
import itertools

import openpyxl

from tests.factories import make_campaign, make_officer, make_procedure, make_unit
from wagtail_satisfaction.models import Dossier, KioskKey

_seq = itertools.count(1)


def make_dossier(unit, returned=True, **kwargs):
    """A dossier of ``unit``, returned two days ago unless ``returned=False``."""
    today = datetime.date.today()
    n = next(_seq)
    kwargs.setdefault("received_on", today - datetime.timedelta(days=10))
    kwargs.setdefault("due_on", today + datetime.timedelta(days=5))
    if returned:
        kwargs.setdefault("returned_on", today - datetime.timedelta(days=2))
    return Dossier.objects.create(code=kwargs.pop("code", f"HS-{n:06d}"), unit=unit, **kwargs)


def dossier_setup(**campaign_kwargs):
    """An open campaign with a procedure, an officer and a returned dossier of its unit."""
    campaign = make_campaign(**campaign_kwargs)
    procedure = make_procedure(campaign.unit, name="Cấp giấy phép hoạt động")
    officer = make_officer(campaign.unit, name="Trần Thị Hoa")
    dossier = make_dossier(campaign.unit, procedure=procedure, officer=officer,
                           applicant_name="Lê Văn Dân", email="dan@example.vn",
                           phone="0901234567")
    return campaign, dossier


def make_kiosk_key(campaign, unit=None, **kwargs):
    return KioskKey.objects.create(name=kwargs.pop("name", "Quầy 1"), campaign=campaign,
                                   unit=unit or campaign.unit, **kwargs)


def xlsx_bytes(header, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["make_campaign", "make_dossier", "make_kiosk_key", "make_officer", "make_procedure",
           "make_staff",
           "make_unit", "dossier_setup", "xlsx_bytes"]


def make_staff(username, *perms, superuser=False):
    """A user who can use the Wagtail admin, with the given app permissions."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    model = get_user_model()
    if superuser:
        return model.objects.create_superuser(username, f"{username}@example.org",
                                              "pw-" + username)
    user = model.objects.create_user(username, f"{username}@example.org", "pw-" + username)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin",
                                                     codename="access_admin"))
    for perm in perms:
        user.user_permissions.add(Permission.objects.get(
            content_type__app_label="wagtail_satisfaction", codename=perm))
    return user
