"""The OPA server engine: the requests it sends (recorded by an OPA stand-in that answers as
OPA's REST API does), the findings it returns, and how each failure reads.

A last test runs against a real OPA at QANTARA_OPA_URL (default http://localhost:8181)
when one answers there, and is skipped, saying so, when none does.
"""

from __future__ import annotations

import json
import os
import re
import socket
import urllib.request

import pytest
from fake_opa import FakeOpa, compile_error
from sample_inputs import violating_input

from qantara.catalog import load_catalog
from qantara.engine.rego import rego_modules
from qantara.errors import InputError, PolicyEngineError
from qantara.paths import policy_dir
from qantara.policy.evaluate import evaluate
from qantara.policy.library import policy_packages
from qantara.policy.opa_server import evaluate_remote, server_address, upload_order

SUBJECTS = ("blueprint", "resources")
TOKEN = "s3cr3t-opa-token"


@pytest.fixture
def opa():
    server = FakeOpa()
    yield server
    server.close()


@pytest.fixture(scope="module")
def document():
    return violating_input()


def finding_paths() -> list[str]:
    return [f"/v1/data/{p.package.replace('.', '/')}/findings" for p in policy_packages() if p.subject in SUBJECTS]


def first_package() -> str:
    return next(p.package for p in policy_packages() if p.subject in SUBJECTS)


def engine_error(call) -> str:
    with pytest.raises(PolicyEngineError) as caught:
        call()
    assert caught.value.exit_code == 3
    return caught.value.message


# --- what the server gives ----------------------------------------------------------------------

def test_the_server_gives_the_embedded_engines_findings(opa, document):
    expected = evaluate(document, SUBJECTS)
    assert {"QA-BP-001", "QA-RES-001", "QA-RES-002", "QA-RES-003", "QA-RES-004", "QA-RES-005"} <= {f["policy"] for f in expected}
    assert evaluate_remote(document, SUBJECTS, opa.url) == expected


def test_only_the_packages_of_the_subjects_asked_are_queried(opa, document):
    findings = evaluate_remote(document, ("blueprint",), opa.url)
    assert findings == evaluate(document, ("blueprint",))
    assert "QA-BP-001" in {f["policy"] for f in findings} and all(f["policy"].startswith("QA-BP-") for f in findings)
    posts = [r.path for r in opa.requests if r.method == "POST"]
    assert posts == [p for p in finding_paths() if p.startswith("/v1/data/qantara/blueprint/")]


# --- the requests -------------------------------------------------------------------------------

def test_upload_puts_the_catalog_then_every_module_with_libraries_first(opa, document):
    evaluate_remote(document, SUBJECTS, opa.url)
    catalog, modules = load_catalog(), rego_modules(policy_dir())
    methods = [r.method for r in opa.requests]
    assert methods == ["PUT"] * (len(catalog) + len(modules)) + ["POST"] * len(finding_paths())

    data_puts = opa.requests[:len(catalog)]
    assert [r.path for r in data_puts] == [f"/v1/data/catalog/{stem}" for stem in sorted(catalog)]
    for request in data_puts:
        assert request.headers["Content-Type"] == "application/json"
        assert request.json() == json.loads(json.dumps(catalog[request.path.rsplit("/", 1)[1]]))

    policy_puts = opa.requests[len(catalog):len(catalog) + len(modules)]
    assert sorted(r.path for r in policy_puts) == sorted(f"/v1/policies/qantara/{path}" for path in modules)
    uploaded_packages: set[str] = set()
    for request in policy_puts:
        path = request.path.removeprefix("/v1/policies/qantara/")
        assert request.headers["Content-Type"] == "text/plain"
        assert request.body.decode() == modules[path]  # exactly the file: no rewriting of the Rego
        imported = set(re.findall(r"^import data\.(qantara\.[\w.]+)", modules[path], re.MULTILINE))
        assert imported <= uploaded_packages | {re.search(r"^package (\S+)", modules[path], re.MULTILINE).group(1)}
        uploaded_packages.add(re.search(r"^package (\S+)", modules[path], re.MULTILINE).group(1))


def test_each_package_is_asked_for_its_findings_with_the_input(opa, document):
    evaluate_remote(document, SUBJECTS, opa.url)
    posts = [r for r in opa.requests if r.method == "POST"]
    assert [r.path for r in posts] == finding_paths()
    for request in posts:
        assert request.headers["Content-Type"] == "application/json"
        assert request.json() == {"input": json.loads(json.dumps(document))}


def test_without_upload_only_queries_are_sent(opa, document):
    evaluate_remote(document, SUBJECTS, opa.url)  # the server now holds the library
    opa.requests.clear()
    assert evaluate_remote(document, SUBJECTS, opa.url, upload=False) == evaluate(document, SUBJECTS)
    assert {r.method for r in opa.requests} == {"POST"}


def test_the_token_is_sent_as_a_bearer_token_on_every_request(opa, document):
    evaluate_remote(document, ("blueprint",), opa.url, token=TOKEN)
    assert opa.requests and {r.headers.get("Authorization") for r in opa.requests} == {f"Bearer {TOKEN}"}


def test_libraries_are_uploaded_before_the_modules_that_import_them():
    modules = {
        "resources/b.rego": "package qantara.resources.b\nimport data.qantara.lib.residency\n",
        "lib/residency.rego": "package qantara.lib.residency\nimport data.qantara.lib.text\n",
        "lib/text.rego": "package qantara.lib.text\n",
        "a.rego": "package qantara.a\n",
    }
    assert upload_order(modules) == ["a.rego", "lib/text.rego", "lib/residency.rego", "resources/b.rego"]
    cycle = {"x.rego": "package x\nimport data.y\n", "y.rego": "package y\nimport data.x\n"}
    assert sorted(upload_order(cycle)) == ["x.rego", "y.rego"]  # OPA, not the ordering, reports a cycle


# --- failures -----------------------------------------------------------------------------------

def test_a_server_without_the_policies_names_the_missing_package(opa, document):
    message = engine_error(lambda: evaluate_remote(document, SUBJECTS, opa.url, upload=False))
    assert message.startswith(f"OPA at {opa.url}: data.{first_package()}.findings is undefined: the server does not "
                              "hold that policy package")
    assert "qantara bundle" in message


def test_a_refused_connection_names_the_url(document):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = engine_error(lambda: evaluate_remote(document, SUBJECTS, f"http://127.0.0.1:{port}"))
    assert message == (f"OPA at http://127.0.0.1:{port}: uploading data.catalog.{sorted(load_catalog())[0]} failed: "
                       "cannot connect (connection refused or host unreachable; is the server running?)")


def test_a_server_error_carries_opas_code_and_message(opa, document):
    opa.fault("POST", "/v1/data/qantara/resources/encryption", 500,
              {"code": "internal_error", "message": "eval_conflict_error: complete rules must not produce multiple outputs"})
    message = engine_error(lambda: evaluate_remote(document, SUBJECTS, opa.url))
    assert message == (f"OPA at {opa.url}: evaluating data.qantara.resources.encryption.findings failed: HTTP 500, "
                       "internal_error: eval_conflict_error: complete rules must not produce multiple outputs")


def test_a_module_the_server_refuses_is_named_with_opas_errors(opa, document):
    opa.fault("PUT", "/v1/policies/qantara/lib/plan.rego", 400,
              compile_error("qantara/lib/plan.rego", "rego_parse_error: unexpected } token"))
    message = engine_error(lambda: evaluate_remote(document, SUBJECTS, opa.url))
    assert message.startswith(f"OPA at {opa.url}: uploading policy {policy_dir() / 'lib/plan.rego'} failed: ")
    assert ("invalid_parameter: error(s) occurred while compiling module(s) "
            "(rego_parse_error: unexpected } token at qantara/lib/plan.rego:1)") in message


def test_a_server_that_holds_the_bundle_refuses_uploads_with_its_reason(opa, document):
    opa.fault("PUT", "/v1/data/catalog/", 400,
              {"code": "invalid_parameter", "message": 'path catalog/aws_global_services is owned by bundle "qantara"'})
    message = engine_error(lambda: evaluate_remote(document, SUBJECTS, opa.url))
    assert 'is owned by bundle "qantara"' in message


def test_a_refused_token_is_reported_without_the_token(opa, document):
    opa.fault("PUT", "/v1/data/", 401, {"code": "unauthorized", "message": "the request could not be authorized"})
    message = engine_error(lambda: evaluate_remote(document, SUBJECTS, opa.url, token=TOKEN))
    assert "unauthorized: the request could not be authorized" in message and "check the bearer token" in message
    assert TOKEN not in message

    opa.faults.clear()
    opa.fault("POST", "/v1/data/", 401, {"code": "unauthorized", "message": "the request could not be authorized"})
    message = engine_error(lambda: evaluate_remote(document, SUBJECTS, opa.url, token=TOKEN))
    assert "HTTP 401, unauthorized" in message and TOKEN not in message


def test_an_answer_that_is_not_opas_json_is_reported_as_such(opa, document):
    opa.fault("POST", "/v1/data/", 502, b"<html>Bad Gateway</html>", content_type="text/html")
    assert engine_error(lambda: evaluate_remote(document, SUBJECTS, opa.url)).endswith("failed: HTTP 502 Bad Gateway")
    opa.faults.clear()
    opa.fault("PUT", "/v1/data/", 502, b"<html>Bad Gateway</html>", content_type="text/html")
    assert "not OPA's JSON" in engine_error(lambda: evaluate_remote(document, SUBJECTS, opa.url))


# --- the URL ------------------------------------------------------------------------------------

def test_a_base_url_gives_host_port_and_scheme():
    assert server_address("http://localhost:8181") == ("http://localhost:8181", "localhost", 8181, False)
    assert server_address("https://opa.example.gov/") == ("https://opa.example.gov:443", "opa.example.gov", 443, True)
    assert server_address("http://[::1]:8181") == ("http://[::1]:8181", "[::1]", 8181, False)


@pytest.mark.parametrize("url, problem", [
    ("localhost:8181", "expected http://HOST:PORT"),
    ("ftp://opa:21", "expected http://HOST:PORT"),
    ("http://opa:8181/v1/data", "without a path"),
    ("http://opa:port", "the port is not a number"),
    ("https://admin:hunter2@opa:8443", "credentials in the URL are not sent"),
])
def test_a_url_that_is_not_a_servers_base_url_is_bad_input(url, problem):
    with pytest.raises(InputError) as caught:
        server_address(url)
    assert problem in caught.value.message and "hunter2" not in caught.value.message


# --- a real OPA ---------------------------------------------------------------------------------

def _real_opa() -> str:
    url = os.environ.get("QANTARA_OPA_URL", "http://localhost:8181")
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=2) as response:
            if response.status == 200:
                return url
            reason = f"answered /health with HTTP {response.status}"
    except OSError as error:
        reason = f"not reachable ({type(error).__name__})"
    pytest.skip(f"no OPA server at {url} ({reason}); start one (opa run --server) or set QANTARA_OPA_URL")


def test_a_real_opa_server_gives_the_embedded_engines_findings(document):
    url = _real_opa()
    token = os.environ.get("QANTARA_OPA_TOKEN")
    assert evaluate_remote(document, SUBJECTS, url, token=token) == evaluate(document, SUBJECTS)
    assert evaluate_remote(document, SUBJECTS, url, upload=False, token=token) == evaluate(document, SUBJECTS)
