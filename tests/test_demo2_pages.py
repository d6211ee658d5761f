"""The channels' public pages on the example site: their stylesheet is in the page head."""

import re

import pytest

from tests.channels_factories import dossier_setup
from wagtail_satisfaction.channels import dossiers

pytestmark = pytest.mark.django_db


def head_and_body(html):
    head, body = html.split("</head>", 1)
    return head, body


@pytest.mark.parametrize("which", ["lookup", "rate", "refused", "opt out"])
def test_channel_pages_link_their_stylesheet_once_in_the_head(client, which):
    campaign, dossier = dossier_setup()
    url = {
        "lookup": "/khao-sat/ho-so/",
        "rate": dossiers.rating_path(dossier),
        "refused": "/khao-sat/ho-so/danh-gia/forged-token/",
        "opt out": dossiers.opt_out_url(dossier).split("://", 1)[-1].split("/", 1)[-1],
    }[which]
    url = url if url.startswith("/") else "/" + url
    html = client.get(url).content.decode()
    head, body = head_and_body(html)
    assert len(re.findall(r"channels\.css", head)) == 1
    assert "channels.css" not in body
    # Still the example site's own layout around the page.
    assert 'class="site"' in body and "survey.css" in head
