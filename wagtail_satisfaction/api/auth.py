"""Who is calling: an API client's token, checked against its digest; its rate limit."""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.throttling import BaseThrottle

from ..conf import get_setting
from ..guards import take_slot
from ..models import ApiClient
from ..models.api import TOKEN_PREFIX_LENGTH, hash_token

KEYWORDS = (b"bearer", b"token")


def invalid_token():
    return AuthenticationFailed(_("This API token is not valid or has been revoked. Ask "
                                  "the site's administrators for a token."))


class ApiClientUser:
    """What ``request.user`` is for a call made with a client's token (not a person)."""

    is_authenticated = True
    is_active = True
    is_superuser = is_staff = False

    def __init__(self, client):
        self.client = client

    def __str__(self):
        return self.client.name


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``; a revoked or unknown token answers 401."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise invalid_token()
        try:
            token = parts[1].decode()
        except UnicodeError as error:
            raise invalid_token() from error
        request._request.api_token_prefix = token[:TOKEN_PREFIX_LENGTH]
        client = ApiClient.objects.filter(token_hash=hash_token(token)).first()
        if client is None or not client.is_active:
            raise invalid_token()
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return ApiClientUser(client), client

    def authenticate_header(self, request):
        return 'Bearer realm="wagtail-satisfaction"'


class IsApiClient(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ApiClient)


class ClientRateThrottle(BaseThrottle):
    """API_RATE_LIMIT calls per API_RATE_LIMIT_WINDOW seconds for each client.

    Counted with the same atomic reservations as the survey's limits (``guards``), so a
    burst of concurrent calls never gets more than the limit through.
    """

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiClient):
            return True
        self.window = get_setting("API_RATE_LIMIT_WINDOW")
        slot = take_slot("api-client", str(request.auth.pk), get_setting("API_RATE_LIMIT"),
                         self.window)
        return slot.granted

    def wait(self):
        return self.window
