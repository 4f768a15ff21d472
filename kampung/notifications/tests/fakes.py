"""A gateway for tests: records what it was asked to send, or fails as told."""

from __future__ import annotations

from kampung.notifications.gateways import BaseGateway, DeliveryError, PermanentDeliveryError


class FakeGateway(BaseGateway):
    sent: list[tuple[str, str, str]] = []
    fail_with: Exception | None = None
    on_send = None  # a callable run on each send (used to stop the sender loop)

    @classmethod
    def reset(cls) -> None:
        cls.sent = []
        cls.fail_with = None
        cls.on_send = None

    def send(self, to: str, text: str) -> str:
        if FakeGateway.on_send is not None:
            FakeGateway.on_send()
        if FakeGateway.fail_with is not None:
            raise FakeGateway.fail_with
        FakeGateway.sent.append((self.channel, to, text))
        return f"fake-{len(FakeGateway.sent)}"


class NotAGateway:
    def __init__(self, **kwargs: object) -> None:
        pass


__all__ = ["DeliveryError", "FakeGateway", "NotAGateway", "PermanentDeliveryError"]
