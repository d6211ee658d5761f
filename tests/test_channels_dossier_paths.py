"""Dossier lookup and opt-out paths a citizen can take twice or half-way."""

import pytest
from django.urls import reverse

from tests.channels_factories import dossier_setup
from wagtail_satisfaction.channels import dossiers
from wagtail_satisfaction.models import Response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LOOKUP = reverse("wagtail_satisfaction:dossier_lookup")


def test_lookup_with_a_missing_code_says_which_field_and_keeps_the_other(client):
    _campaign, dossier = dossier_setup()
    page = client.post(LOOKUP, {"code": dossier.code, "secret": ""})
    html = page.content.decode()
    assert page.status_code == 400
    assert "secret" in page.context["form"].errors
    assert f'value="{dossier.code}"' in html
    assert not Response.objects.exists()


def test_opting_out_twice_keeps_the_dossier_out_and_thanks_again(client):
    _campaign, dossier = dossier_setup()
    url = dossiers.opt_out_url(dossier)
    first = client.post(url)
    second = client.post(url)
    dossier.refresh_from_db()
    assert dossier.opted_out
    assert first.status_code == second.status_code == 200
    assert second.context["done"] is True
