"""The Content-Security-Policy header: built once per path, the same as django-csp builds it."""

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_update
from django.http import HttpResponse
from django.test import RequestFactory

from wagtail_satisfaction import security
from wagtail_satisfaction.security import AdminAwareCSPMiddleware

pytestmark = pytest.mark.django_db


def served(path, view=lambda request: HttpResponse("ok")):
    middleware = AdminAwareCSPMiddleware(view)
    request = RequestFactory().get(path)
    return request, middleware(request)


def test_public_and_admin_paths_keep_their_own_policy_when_served_again(campaign):
    for _time in range(2):
        _request, public = served(f"/khao-sat/{campaign.slug}/")
        _request, admin = served("/admin/satisfaction-integrity/")
        public_policy = public["Content-Security-Policy"].split("; ")
        assert "script-src 'self'" in public_policy
        assert "'unsafe-inline'" not in public["Content-Security-Policy"]
        assert "script-src 'self' 'unsafe-inline'" in admin["Content-Security-Policy"].split("; ")


def test_a_view_with_its_own_policy_and_a_used_nonce_are_built_each_time(settings):
    @csp_update({"img-src": ["https://ban-do.example.vn"]})
    def with_map(request):
        return HttpResponse("map")

    served("/khao-sat/ban-do/")  # the plain policy of this path, kept
    _request, answer = served("/khao-sat/ban-do/", with_map)
    assert "https://ban-do.example.vn" in answer["Content-Security-Policy"]

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}

    def with_nonce(request):
        return HttpResponse(f"nonce {request.csp_nonce}")

    served("/khao-sat/ban-do/")
    nonces = set()
    for _time in range(2):
        request, answer = served("/khao-sat/ban-do/", with_nonce)
        assert f"'nonce-{request._csp_nonce}'" in answer["Content-Security-Policy"]
        nonces.add(request._csp_nonce)
    assert len(nonces) == 2


def test_kept_policies_are_forgotten_when_the_settings_change(settings):
    served("/khao-sat/doi/")
    assert security._policies
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    assert not security._policies
    _request, answer = served("/khao-sat/doi/")
    assert answer["Content-Security-Policy"] == "default-src 'self'"


def test_kept_policies_start_again_past_their_bound(monkeypatch):
    monkeypatch.setattr(security, "MAX_POLICIES", 1)
    served("/khao-sat/mot/")
    _request, answer = served("/khao-sat/hai/")
    assert list(security._policies) == ["/khao-sat/hai/"]
    assert "default-src 'self'" in answer["Content-Security-Policy"].split("; ")
