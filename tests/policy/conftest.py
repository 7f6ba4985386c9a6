import pytest
from pulumi_policy import policy as pulumi_policy_module

from qantara.policy.pulumi_pack import keep_secret_markers


@pytest.fixture
def secret_markers_kept(monkeypatch):
    """keep_secret_markers() for one test, as the pack's __main__ does; pulumi-policy's
    deserializer is restored after."""
    monkeypatch.setattr(pulumi_policy_module, "deserialize_properties", pulumi_policy_module.deserialize_properties)
    assert keep_secret_markers()
