import pytest

from kampung.notifications.tests.fakes import FakeGateway

FAKE = "kampung.notifications.tests.fakes.FakeGateway"


@pytest.fixture(autouse=True)
def _fake_gateway_reset():
    FakeGateway.reset()
    yield
    FakeGateway.reset()


@pytest.fixture
def sms_gateway(settings):
    settings.KAMPUNG_SMS_GATEWAY = FAKE
    return FakeGateway


@pytest.fixture
def no_gateways(settings):
    settings.KAMPUNG_SMS_GATEWAY = ""
    settings.KAMPUNG_WHATSAPP_GATEWAY = ""
