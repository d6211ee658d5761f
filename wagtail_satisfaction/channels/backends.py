"""Message backends: how invitations reach people, by email and by SMS.

``WAGTAIL_SATISFACTION_MESSAGE_BACKENDS`` maps a channel (``"email"``, ``"sms"``) to
``{"CLASS": dotted path of a BaseMessageBackend, "OPTIONS": {...}}``, or to None when the
site does not use that channel. Three backends ship:

* :class:`EmailBackend`: Django's email (``EMAIL_BACKEND``, SMTP in production), as before;
* :class:`HttpSmsBackend`: any SMS gateway with an HTTP API; the URL, authentication, body
  template and the rule that tells a success are options (docs/api.md has examples);
* :class:`ConsoleBackend`: prints the messages, for development.

A backend is used as a context manager (one connection for a batch); ``send()`` returns
True when the message was accepted, False when this recipient was refused, and raises
``OSError`` when the service cannot be reached (what was claimed is then released).
"""

import base64
import json
import sys
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ..conf import get_setting

EMAIL, SMS = "email", "sms"


@dataclass
class SmsMessage:
    to: str
    text: str


class BaseMessageBackend:
    channel = None

    def __init__(self, **options):
        self.options = options

    def open(self):
        """Open a connection for a batch (nothing by default)."""

    def close(self):
        """Close the batch's connection (nothing by default)."""

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def send(self, message):
        raise NotImplementedError


class EmailBackend(BaseMessageBackend):
    """Email through Django: ``OPTIONS`` may name another ``"EMAIL_BACKEND"`` than the site's."""

    channel = EMAIL

    def open(self):
        from django.core.mail import get_connection

        self.connection = get_connection(self.options.get("EMAIL_BACKEND"))
        self.connection.open()

    def close(self):
        self.connection.close()

    def send(self, message):
        from smtplib import SMTPRecipientsRefused

        try:
            return bool(self.connection.send_messages([message]))
        except SMTPRecipientsRefused:
            return False


class ConsoleBackend(BaseMessageBackend):
    """Writes each message to standard output (or ``OPTIONS["STREAM"]``): for development."""

    def __init__(self, **options):
        super().__init__(**options)
        self.channel = options.get("CHANNEL", SMS)

    def send(self, message):
        stream = self.options.get("STREAM") or sys.stdout
        if isinstance(message, SmsMessage):
            text = message.text
            if self.options.get("ASCII"):
                text = without_diacritics(text)
            stream.write(f"SMS to {message.to}: {text}\n")
        else:
            stream.write(message.message().as_string() + "\n")
        stream.write("-" * 79 + "\n")
        stream.flush()
        return True


def without_diacritics(text):
    """Vietnamese without accents ("Hồ sơ đã có kết quả" -> "Ho so da co ket qua").

    A message in plain ASCII fits 160 characters per SMS instead of 70.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fill(template, values):
    """``template`` (dict, list or string) with ``{to}``, ``{text}``, ``{sender}`` filled."""
    if isinstance(template, dict):
        return {key: _fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(value, values) for value in template]
    if isinstance(template, str):
        for name, value in values.items():
            template = template.replace("{" + name + "}", value)
    return template


def _lookup(data, dotted):
    for part in dotted.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


class HttpSmsBackend(BaseMessageBackend):
    """SMS through a gateway's HTTP API. ``OPTIONS``:

    * ``URL`` (required), ``METHOD`` (``"POST"``), ``HEADERS`` (extra headers),
      ``TIMEOUT`` (seconds, 10);
    * ``AUTH``: ``{"TYPE": "basic", "USERNAME": …, "PASSWORD": …}``,
      ``{"TYPE": "bearer", "TOKEN": …}`` or ``{"TYPE": "header", "NAME": …, "VALUE": …}``;
    * ``BODY_TEMPLATE``: a dict whose strings may hold ``{to}``, ``{text}`` and ``{sender}``,
      sent as JSON (``"FORMAT": "json"``, the default) or as a form (``"FORMAT": "form"``);
    * ``SENDER`` (brand name), ``COUNTRY_CODE`` (e.g. ``"84"``: 0912… becomes 84912…);
    * ``SUCCESS``: ``{"STATUS": [200, …], "JSON_FIELD": "a.b", "EQUALS": value}`` or
      ``{"CONTAINS": text}``; by default any 2xx status is a success;
    * ``ASCII``: True sends the text without diacritics (160 characters per SMS, not 70).
    """

    channel = SMS

    def __init__(self, **options):
        super().__init__(**options)
        if not options.get("URL"):
            raise ImproperlyConfigured("HttpSmsBackend needs OPTIONS['URL'].")

    def phone(self, number):
        number = "".join(c for c in number if c.isdigit() or c == "+")
        country = self.options.get("COUNTRY_CODE")
        if country and number.startswith("0"):
            number = country + number[1:]
        return number.lstrip("+") if country else number

    def request(self, message):
        text = message.text
        if self.options.get("ASCII"):
            text = without_diacritics(text)
        values = {"to": self.phone(message.to), "text": text,
                  "sender": self.options.get("SENDER", "")}
        body = _fill(self.options.get("BODY_TEMPLATE") or {"to": "{to}", "text": "{text}"},
                     values)
        headers = dict(self.options.get("HEADERS") or {})
        if self.options.get("FORMAT", "json") == "form":
            data = urllib.parse.urlencode(body).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        else:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        auth = self.options.get("AUTH") or {}
        kind = (auth.get("TYPE") or "").lower()
        if kind == "basic":
            pair = f"{auth.get('USERNAME', '')}:{auth.get('PASSWORD', '')}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        elif kind == "bearer":
            headers["Authorization"] = f"Bearer {auth.get('TOKEN', '')}"
        elif kind == "header":
            headers[auth["NAME"]] = auth.get("VALUE", "")
        return urllib.request.Request(self.options["URL"], data=data, headers=headers,
                                      method=self.options.get("METHOD", "POST"))

    def succeeded(self, status, content):
        rule = self.options.get("SUCCESS") or {}
        statuses = rule.get("STATUS")
        if statuses is not None and status not in statuses:
            return False
        if statuses is None and not 200 <= status < 300:
            return False
        if "CONTAINS" in rule and rule["CONTAINS"] not in content:
            return False
        if "JSON_FIELD" in rule:
            try:
                data = json.loads(content)
            except ValueError:
                return False
            value = _lookup(data, rule["JSON_FIELD"])
            if "EQUALS" in rule:
                return value == rule["EQUALS"]
            return bool(value)
        return True

    def send(self, message):
        try:
            with urllib.request.urlopen(self.request(message),
                                        timeout=self.options.get("TIMEOUT", 10)) as answer:
                status, content = answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            if error.code >= 500:  # the gateway is down: try again later
                raise
            status, content = error.code, error.read().decode("utf-8", "replace")
        return self.succeeded(status, content)


def get_backend(channel):
    """The configured backend of ``channel`` (a new one on each call), or None."""
    config = (get_setting("MESSAGE_BACKENDS") or {}).get(channel)
    if not config:
        return None
    return import_string(config["CLASS"])(**(config.get("OPTIONS") or {}))
