"""spec.governance.externalEndpoints: the hosts outside AWS a blueprint declares, strictly."""

from __future__ import annotations

import pytest
from blueprint_samples import MINIMAL, single_problem

from qantara.blueprint import load_blueprint
from qantara.errors import BlueprintError

GOVERNANCE = MINIMAL + "  governance:\n    externalEndpoints:\n"


def test_a_declared_endpoint_loads_with_its_country(write):
    text = GOVERNANCE + "      - {host: db.partner.example, country: AE, purpose: claims sync with the insurer}\n"
    endpoint = load_blueprint(write(text)).model.spec.governance.external_endpoints[0]
    assert (endpoint.host, endpoint.country) == ("db.partner.example", "AE")


@pytest.mark.parametrize("host", [
    "https://db.partner.example",  # a URL, not a host: the policy compares hosts exactly
    "db.partner.example:5432",     # a port
    "DB.Partner.Example",          # hosts are compared lowercase; say it that way
    "*.partner.example",           # no wildcards: each host is declared on its own
    "localhost",                   # a bare name cannot be told from any other network's
])
def test_an_endpoint_host_is_a_plain_lowercase_host_name(write, host):
    text = GOVERNANCE + f"      - {{host: '{host}', country: AE, purpose: sync}}\n"
    line = single_problem(load_blueprint, write(text), BlueprintError)
    assert "spec.governance.externalEndpoints[0].host" in line
    assert "a lowercase host name such as db.partner.example" in line


def test_an_endpoint_needs_a_country_and_a_purpose(write):
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(write(GOVERNANCE + "      - {host: db.partner.example}\n"))
    fields = [p.field for p in caught.value.problems]
    assert fields == ["spec.governance.externalEndpoints[0].country", "spec.governance.externalEndpoints[0].purpose"]


def test_a_host_declared_twice_is_refused(write):
    text = GOVERNANCE + ("      - {host: db.partner.example, country: AE, purpose: sync}\n"
                         "      - {host: db.partner.example, country: US, purpose: sync}\n")
    line = single_problem(load_blueprint, write(text), BlueprintError)
    assert "spec.governance.externalEndpoints[1]: duplicate endpoint db.partner.example (first at externalEndpoints[0])" in line
