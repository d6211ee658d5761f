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

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
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
