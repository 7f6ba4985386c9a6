"""The exported JSON Schema speaks the file's language, forbids typos and refuses what validate refuses."""

from __future__ import annotations

import random
from pathlib import Path

import jsonschema
import pytest
import yaml
from blueprint_generator import generate
from blueprint_samples import MINIMAL

from qantara.blueprint import blueprint_json_schema, load_blueprint
from qantara.blueprint.yaml_source import load_yaml_with_positions
from qantara.errors import BlueprintError
from qantara.paths import project_root


def test_schema_uses_camel_case_names():
    schema = blueprint_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"]
    assert set(schema["required"]) == {"apiVersion", "kind", "metadata", "spec"}
    spec = schema["$defs"]["Spec"]["properties"]
    assert {"dataClassification", "onPrem", "environments"} <= set(spec)
    assert "drRegion" in schema["$defs"]["Cloud"]["properties"]
    assert "auditRetentionDays" in schema["$defs"]["Governance"]["properties"]
    assert "data_classification" not in spec


def test_schema_forbids_additional_properties_everywhere():
    schema = blueprint_json_schema()
    assert schema["additionalProperties"] is False
    for name, definition in schema["$defs"].items():
        assert definition.get("additionalProperties") is False, name


def test_every_field_has_a_description():
    schema = blueprint_json_schema()
    for name, definition in [("Blueprint", schema), *schema["$defs"].items()]:
        for field, prop in definition["properties"].items():
            assert prop.get("description"), f"{name}.{field}"


# --- The schema refuses what validate refuses, where a JSON Schema can say it (issue 13 §4) ---




ON_PREM = MINIMAL.replace("deployment: cloud", "deployment: on-prem").replace(
    "  cloud: {}\n", "  onPrem: {site: ruh-dc1, country: SA, registry: registry.example.sa/ml}\n")
HYBRID = MINIMAL.replace("deployment: cloud", "deployment: hybrid") + "  onPrem:\n    site: ruh-dc1\n    country: SA\n"

# What both must refuse: each case is a blueprint the loader refuses.
REFUSED_BY_BOTH = {
    "cloud section under on-prem": ON_PREM + "  cloud: {region: me-central-1}\n",
    "deploy access under on-prem": ON_PREM + "  deployAccess: {provider: github, repository: acme/platform}\n",
    "site link under on-prem": ON_PREM.replace(
        "registry: registry.example.sa/ml}", "registry: r.example.sa/ml, connectivity: {kind: vpn, siteCidrs: "
        "[10.9.0.0/16], customerGatewayIp: 203.0.113.10}}"),
    "cloud placement under on-prem": ON_PREM + "  components:\n    serving: {placement: cloud}\n",
    "onPrem a cloud deployment ignores": MINIMAL + "  onPrem: {site: ruh-dc1, country: SA}\n",
    "hybrid without onPrem": MINIMAL.replace("deployment: cloud", "deployment: hybrid"),
    "on-prem without onPrem": MINIMAL.replace("deployment: cloud", "deployment: on-prem").replace("  cloud: {}\n", ""),
    "vpn without the gateway address": HYBRID + "    connectivity: {kind: vpn, siteCidrs: [10.9.0.0/16]}\n",
    "direct connect without the gateway": HYBRID + "    connectivity: {kind: direct-connect, siteCidrs: [10.9.0.0/16]}\n",
    "outposts without an outpost": HYBRID + "    kind: outposts\n",
    "outpost arn on a kubernetes site": HYBRID + "    outpostArn: arn:aws:outposts:me-south-1:123456789012:outpost/op-0123456789abcdef0\n",
    "retention CloudWatch refuses": MINIMAL.replace("    - name: dev\n", "    - {name: dev, logRetentionDays: 100}\n"),
    "expires not a date": MINIMAL + "  governance:\n    waivers:\n      - {policy: QA-RES-001, reason: r, approvedBy: a, "
                                    "expires: 2027-02-30}\n",
    "expires a date and time": MINIMAL + "  governance:\n    waivers:\n      - {policy: QA-RES-001, reason: r, "
                                        "approvedBy: a, expires: '2027-06-30T00:00:00'}\n",
    "blueprint name over 63": MINIMAL.replace("name: gulf-ml", "name: " + "a" * 64),
    "model name with a double hyphen": MINIMAL + "  components:\n    serving:\n      models:\n        - name: risk--v2\n"
                                                 "          variants: [{name: main, weight: 100, image: v1}]\n",
    "vpc range not a cidr": MINIMAL.replace("cloud: {}", "cloud: {vpcCidr: 10.20.0.0}"),
}


@pytest.fixture(scope="module")
def validator():
    schema = blueprint_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _data(path: Path) -> dict:
    return load_yaml_with_positions(path).data


@pytest.mark.parametrize("text", REFUSED_BY_BOTH.values(), ids=REFUSED_BY_BOTH.keys())
def test_schema_refuses_what_the_loader_refuses(write, validator, text):
    path = write(text)
    with pytest.raises(BlueprintError):
        load_blueprint(path)
    assert list(validator.iter_errors(_data(path))), "the schema let through what validate refuses"


def test_example_blueprints_satisfy_the_schema(validator):
    for path in sorted((project_root() / "blueprints").glob("*.yaml")):
        assert not [e.message for e in validator.iter_errors(_data(path))], path.name


def test_schema_never_refuses_a_blueprint_the_loader_accepts(tmp_path, validator):
    """Editors must not show an error `qantara validate` would not: checked on generated blueprints."""
    rng, accepted = random.Random(20261206), 0
    for index in range(200):
        path = tmp_path / f"b{index}.yaml"
        path.write_text(yaml.safe_dump(generate(rng), sort_keys=False), encoding="utf-8")
        try:
            load_blueprint(path)
        except BlueprintError:
            continue
        accepted += 1
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(_data(path))]
        assert not errors, f"{path.read_text()}\n{errors}"
    assert accepted >= 50
