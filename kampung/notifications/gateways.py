"""Gateways for SMS and WhatsApp: a small interface, chosen per channel by a setting.

``KAMPUNG_SMS_GATEWAY`` / ``KAMPUNG_WHATSAPP_GATEWAY`` hold a dotted path to a class (or the
short names ``log`` and ``http``); empty means the channel is off and nothing is queued on it.
A gateway raises :class:`DeliveryError` for a failure worth retrying and
:class:`PermanentDeliveryError` when retrying cannot help (a refused number, a bad request).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

ALIASES = {
    "log": "kampung.notifications.gateways.LogGateway",
    "http": "kampung.notifications.gateways.HttpGateway",
}


class DeliveryError(Exception):
    """Sending failed this time; the sender tries again later."""


class PermanentDeliveryError(DeliveryError):
    """Sending can never succeed as addressed; the message is marked failed at once."""


@runtime_checkable
class MessageGateway(Protocol):
    def send(self, to: str, text: str) -> str:
        """Send ``text`` to ``to`` (a +62 number); return the provider's message id (may be "")."""
        ...


class BaseGateway:
    """Gateways are built with the channel they serve and that channel's settings."""

    def __init__(self, *, channel: str, url: str = "", token: str = "", timeout: float = 10.0) -> None:
        self.channel = channel
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, to: str, text: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class LogGateway(BaseGateway):
    """Writes the message to the log instead of sending it: for development and demos."""

    def send(self, to: str, text: str) -> str:
        provider_id = f"log-{uuid.uuid4().hex[:12]}"
        logger.warning("[%s] to %s (%s): %s", self.channel, to, provider_id, text)
        return provider_id


class HttpGateway(BaseGateway):
    """Posts ``{"channel", "to", "text"}`` as JSON to a webhook with a bearer token.

    Fits a provider's HTTP API behind a small adapter, or a self-hosted WhatsApp/SMS bridge.
    The reply's ``id`` (or ``message_id``), when present, is kept as the provider id.
    """

    def __init__(self, *, channel: str, url: str = "", token: str = "", timeout: float = 10.0) -> None:
        super().__init__(channel=channel, url=url, token=token, timeout=timeout)
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"The {channel} gateway needs an http(s) URL, not {url!r}.")

    def build_request(self, to: str, text: str) -> urllib.request.Request:
        payload = json.dumps({"channel": self.channel, "to": to, "text": text}).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return urllib.request.Request(self.url, data=payload, headers=headers, method="POST")  # noqa: S310

    def send(self, to: str, text: str) -> str:
        request = self.build_request(to, text)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            detail = f"gateway menjawab HTTP {exc.code}"
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PermanentDeliveryError(detail) from exc
            raise DeliveryError(detail) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"gateway tidak dapat dihubungi: {exc}") from exc
        try:
            data = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return ""
        if isinstance(data, dict):
            return str(data.get("id") or data.get("message_id") or "")[:200]
        return ""


def _channel_settings(channel: str) -> tuple[str, str, str]:
    prefix = f"KAMPUNG_{channel.upper()}_GATEWAY"
    return (
        str(getattr(settings, prefix, "") or ""),
        str(getattr(settings, f"{prefix}_URL", "") or ""),
        str(getattr(settings, f"{prefix}_TOKEN", "") or ""),
    )


def gateway_configured(channel: str) -> bool:
    return bool(_channel_settings(channel)[0])


def gateway_for(channel: str) -> MessageGateway | None:
    """The configured gateway of a phone channel ("sms" or "whatsapp"), or None when off."""
    path, url, token = _channel_settings(channel)
    if not path:
        return None
    cls = import_string(ALIASES.get(path, path))
    timeout = float(getattr(settings, "KAMPUNG_GATEWAY_TIMEOUT", 10))
    gateway = cls(channel=channel, url=url, token=token, timeout=timeout)
    if not isinstance(gateway, MessageGateway):
        raise ImproperlyConfigured(f"{path} has no send(to, text) method.")
    return gateway
