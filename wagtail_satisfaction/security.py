"""The Content-Security-Policy the app's pages work with, and a middleware that applies it.

Public pages (the survey, the kiosk, dossier rating and the site's own pages) hold no inline
script or style: every script and stylesheet is a static file, so ``PUBLIC_DIRECTIVES``
allows only the site's own origin. Wagtail's admin still writes inline scripts (date
pickers, inline panels) and inline styles, so ``ADMIN_DIRECTIVES`` adds ``'unsafe-inline'``
for those two and nothing else: no ``'unsafe-eval'``, no other origin.

With django-csp 4, a site sets ``CONTENT_SECURITY_POLICY = {"DIRECTIVES":
PUBLIC_DIRECTIVES}`` and uses :class:`AdminAwareCSPMiddleware` in place of django-csp's
middleware (see the README's "Security" section).
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY, NONE, SELF, UNSAFE_INLINE
from csp.middleware import CheckableLazyObject, CSPMiddleware
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.urls import reverse

PUBLIC_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [SELF],  # the admin's preview shows the pages in a frame
}

ADMIN_DIRECTIVES = {
    **PUBLIC_DIRECTIVES,
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],  # image previews before upload
    "frame-src": [SELF],  # the live preview panel
}


class AdminAwareCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with ``ADMIN_DIRECTIVES`` under the Wagtail admin's URL.

    A view that sets its own policy (django-csp's decorators) keeps it.
    """

    admin_directives = ADMIN_DIRECTIVES

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and request.path_info.startswith(
                reverse("wagtailadmin_home")):
            parts.config = self.admin_directives
        return parts

    # The headers django-csp writes for a path, when no view set its own policy and no nonce
    # was used: the same every time, so built once per path and process (building them is
    # most of a small page's middleware time). Cleared when a setting changes.
    def process_response(self, request, response):
        if (getattr(request, "_csp_nonce", None) is not None
                or response.status_code in (404, 500)
                or HEADER in response or HEADER_REPORT_ONLY in response
                or any(hasattr(response, name) for name in _PER_VIEW)):
            return super().process_response(request, response)
        headers = _policies.get(request.path_info)
        if headers is None:
            probe = super().process_response(request, HttpResponse())
            headers = [(name, probe[name]) for name in (HEADER, HEADER_REPORT_ONLY)
                       if name in probe]
            if len(_policies) >= MAX_POLICIES:
                _policies.clear()
            _policies[request.path_info] = headers
        else:  # as django-csp does once the header is written
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        for name, value in headers:
            response[name] = value
        return response


# Response attributes by which a view sets its own policy (django-csp's decorators).
_PER_VIEW = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt", "_csp_config_ro",
             "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")
_policies = {}
MAX_POLICIES = 1000  # paths kept; past that the memory starts again


def _forget_policies(**_kwargs):
    _policies.clear()


setting_changed.connect(_forget_policies, dispatch_uid="satisfaction_csp_policies")
