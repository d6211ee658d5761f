"""The page an admin sign-in gets once django-axes has locked it, in the user's language.

A site that limits sign-in attempts with django-axes points ``AXES_LOCKOUT_CALLABLE`` here
(see the README's "Security" section).
"""

import math

from django.conf import settings
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    """Answer a locked sign-in with a page that says why and for how long."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    return render(request, "wagtail_satisfaction/admin/login_locked.html", {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }, status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429))
