"""Seal keys: a keyring with one current key (new seals) and older keys (still verify).

``WAGTAIL_SATISFACTION_SEAL_KEYS`` is ``{"CLASS": dotted path, "OPTIONS": {...}}``. The
default derives keys from ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``, so a demo works with
no setting and rotating the secret key keeps old seals verifiable; production sets its own
keys with :class:`SettingsKeyring` so that seals do not depend on the site's secret key.
"""

import functools
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ..conf import get_setting


class BaseKeyring:
    """Hands out the key that seals new responses and finds older keys by their id."""

    def __init__(self, **options):
        self.options = options

    def keys(self):
        """Return ``{key id: key bytes}`` of every key that may verify a seal."""
        raise NotImplementedError

    def current_id(self):
        """Return the id of the key that seals new responses."""
        raise NotImplementedError

    def current(self):
        key_id = self.current_id()
        return key_id, self.keys()[key_id]

    def get(self, key_id):
        return self.keys().get(key_id)


@functools.lru_cache(maxsize=16)
def _derived(secret):
    """``(key id, key)`` derived from a secret key: a pure function, kept per process (every
    submission seals with it)."""
    key = hmac.new(secret.encode(), b"wagtail-satisfaction response seal",
                   hashlib.sha256).digest()
    # The id names the key without revealing it: a digest of the derived key.
    return "sk-" + hmac.new(key, b"key id", hashlib.sha256).hexdigest()[:12], key


class SecretKeyKeyring(BaseKeyring):
    """Keys derived from ``SECRET_KEY`` (current) and ``SECRET_KEY_FALLBACKS`` (older)."""

    def _derive(self, secret):
        return _derived(str(secret))

    def keys(self):
        return dict(self._derive(secret) for secret in
                    [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])])

    def current_id(self):
        return self._derive(settings.SECRET_KEY)[0]


class SettingsKeyring(BaseKeyring):
    """Keys listed in the setting: ``{"KEYS": {id: secret}, "CURRENT": id}``.

    To rotate, add a new key, make it ``CURRENT`` and keep the old ones listed.
    """

    def keys(self):
        keys = self.options.get("KEYS") or {}
        if not keys:
            raise ImproperlyConfigured("WAGTAIL_SATISFACTION_SEAL_KEYS lists no KEYS.")
        return {str(key_id): (secret.encode() if isinstance(secret, str) else bytes(secret))
                for key_id, secret in keys.items()}

    def current_id(self):
        current = self.options.get("CURRENT") or next(iter(self.keys()))
        if current not in self.keys():
            raise ImproperlyConfigured(
                f"WAGTAIL_SATISFACTION_SEAL_KEYS: CURRENT key {current!r} is not in KEYS.")
        return current


def get_keyring():
    """The configured keyring (cheap to build, so built on each use: settings may change)."""
    config = get_setting("SEAL_KEYS")
    return import_string(config["CLASS"])(**(config.get("OPTIONS") or {}))
