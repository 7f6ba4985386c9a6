"""The loading funnel: a valid blueprint loads; every bad one is one located line."""

from __future__ import annotations

import time
from datetime import date

import pytest
from blueprint_samples import FULL, MINIMAL, alias_bomb, single_problem

from qantara.blueprint import Blueprint, LoadedBlueprint, load_blueprint
from qantara.errors import BlueprintError


def refusal(path) -> str:
    return single_problem(load_blueprint, path, BlueprintError)


def test_minimal_blueprint_loads_with_defaults(write):
    loaded = load_blueprint(write(MINIMAL))
    assert isinstance(loaded, LoadedBlueprint)
    spec = loaded.model.spec
    assert spec.cloud.provider == "aws" and spec.cloud.region is None
    assert list(loaded.model.enabled_components()) == [
        "dataLake", "featureStore", "experimentTracking", "modelRegistry", "serving", "monitoring", "audit"]
    assert spec.governance.stage == "managed" and spec.governance.audit_retention_days == 365
    assert spec.environments[0].effective_enforcement == "advisory"
    assert spec.tags == {} and spec.sectors == []


def test_full_blueprint_loads(write):
    model = load_blueprint(write(FULL)).model
    assert model.spec.on_prem.kube_context == "dxb-prod"
    assert model.spec.cloud.dr_region == "me-south-1"
    assert model.spec.governance.waivers[0].expires == date(2025, 6, 30)
    assert model.spec.governance.transfers[0].mechanism == "safeguards"
    assert model.spec.components.feature_store.online is True
    assert model.spec.components.experiment_tracking.size == "Medium"
    assert "monitoring" not in model.enabled_components()
    assert model.component_class("featureStore") == "confidential"
    assert model.component_class("data_lake") == "restricted"
    assert model.environment("staging").effective_enforcement == "advisory"
    assert model.environment("prod").effective_enforcement == "mandatory"
    assert model.spec.tags == {"cost-centre": "ml-001"}


def test_dates_stay_strings_until_the_model(write):
    loaded = load_blueprint(write(FULL))
    assert loaded.source.data["spec"]["governance"]["waivers"][0]["expires"] == "2025-06-30"


def test_norway_is_a_country_not_false(write):
    text = MINIMAL.replace("deployment: cloud", "deployment: on-prem").replace(
        "  cloud: {}", "  onPrem: {site: oslo-dc1, country: NO}")
    assert load_blueprint(write(text)).model.spec.on_prem.country == "NO"


def test_unknown_environment_lists_the_declared_ones(write):
    with pytest.raises(KeyError) as caught:
        load_blueprint(write(FULL)).model.environment("qa")
    assert str(caught.value) == "unknown environment 'qa' (allowed: dev, staging, prod)"


def test_later_stages_locate_fields_through_the_loaded_blueprint(write):
    path = write(FULL)
    problem = load_blueprint(path).problem(("spec", "cloud", "region"), "not allowed here")
    assert str(problem) == f"{path}:14:13: spec.cloud.region: not allowed here"


def test_snake_case_names_are_not_accepted_in_files(write):
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(write(MINIMAL.replace("dataClassification", "data_classification")))
    missing, unknown = caught.value.lines()
    assert missing.endswith(":7:3: spec.dataClassification: required field 'dataClassification' is missing")
    assert unknown.endswith(":8:3: spec.data_classification: unknown field 'data_classification' "
                            "(did you mean 'dataClassification'? allowed: jurisdiction, dataClassification, sectors, "
                            "deployment, cloud, onPrem, environments, deployAccess, components, governance, tags)")


BAD = {
    "syntax error": (MINIMAL.replace("owner: data-platform", "owner: data: platform"),
                     "5:14: YAML syntax error: mapping values are not allowed here"),
    "duplicate key": (MINIMAL + "  deployment: hybrid\n",
                      "13:3: spec.deployment: duplicate key 'deployment' (first at line 9)"),
    "unknown key": (MINIMAL.replace("cloud: {}", "cloud: {regoin: me-central-1}"),
                    "10:11: spec.cloud.regoin: unknown field 'regoin' "
                    "(did you mean 'region'? allowed: provider, region, drRegion, accounts, vpcCidr)"),
    "wrong enum value": (MINIMAL.replace("deployment: cloud", "deployment: clod"),
                         "9:15: spec.deployment: 'clod' is not allowed (allowed: cloud, hybrid, on-prem)"),
    "wrong type": (MINIMAL + "  governance:\n    auditRetentionDays: \"365\"\n",
                   "14:25: spec.governance.auditRetentionDays: expected an integer, got string '365'"),
    "missing required field": (MINIMAL.replace("  owner: data-platform\n", ""),
                               "4:3: metadata.owner: required field 'owner' is missing"),
    "bad dns name": (MINIMAL.replace("name: gulf-ml", "name: Gulf_ML"),
                     "4:9: metadata.name: 'Gulf_ML' is not a DNS label: lowercase letters, digits and '-', "
                     "starting and ending alphanumeric"),
    "component class above the platform's": (
        MINIMAL + "  components:\n    dataLake: {dataClassification: secret}\n",
        "14:36: spec.components.dataLake.dataClassification: 'secret' is above the platform's class 'restricted' "
        "(allowed: public, internal, confidential, restricted)"),
    "hybrid without onPrem": (MINIMAL.replace("deployment: cloud", "deployment: hybrid"),
                              "9:15: spec.deployment: deployment 'hybrid' needs an 'onPrem' section"),
    "on-prem with a cloud placement": (
        MINIMAL.replace("deployment: cloud", "deployment: on-prem").replace(
            "  cloud: {}", "  onPrem: {site: dxb-dc1, country: AE}")
        + "  components:\n    serving: {placement: cloud}\n",
        "14:26: spec.components.serving.placement: placement 'cloud' is not allowed on an on-prem deployment "
        "(allowed: onprem)"),
    "duplicate environment names": (MINIMAL + "    - name: dev\n",
                                    "13:13: spec.environments[1].name: duplicate environment name 'dev' "
                                    "(first at environments[0])"),
    "account id written as a number": (
        MINIMAL.replace("cloud: {}", "cloud: {accounts: [{id: 123456789012, description: prod}]}"),
        "10:27: spec.cloud.accounts[0].id: expected a string, got integer 123456789012"),
    "account id not 12 digits": (
        MINIMAL.replace("cloud: {}", "cloud: {accounts: [{id: '12345', description: prod}]}"),
        "10:27: spec.cloud.accounts[0].id: '12345' is not a 12-digit AWS account id such as 123456789012"),
    "account declared twice": (
        MINIMAL.replace("cloud: {}", "cloud: {accounts: [{id: '123456789012', description: a}, "
                                     "{id: '123456789012', description: b}]}"),
        "10:65: spec.cloud.accounts[1].id: '123456789012' is already declared at accounts[0]"),
    "dr region equals region": (MINIMAL.replace("cloud: {}", "cloud: {region: me-central-1, drRegion: me-central-1}"),
                                "10:43: spec.cloud.drRegion: 'me-central-1' is also the primary region; "
                                "pick another for DR"),
    "no environments": (MINIMAL.replace("    - name: dev\n", "").replace("environments:", "environments: []"),
                        "11:17: spec.environments: needs at least 1 item(s), got 0"),
    "reserved tag key": (MINIMAL + "  tags: {'aws:owner': me}\n",
                         "13:10: spec.tags['aws:owner']: key 'aws:owner' starts with 'aws:', a prefix AWS reserves"),
    "python tag": (MINIMAL.replace("owner: data-platform", "owner: !!python/object:os.system {}"),
                   "5:10: metadata.owner: tag '!!python/object:os.system' is not allowed"),
    "wrong api version": (MINIMAL.replace("qantara.dev/v1", "qantara.dev/v2"),
                          "1:13: apiVersion: 'qantara.dev/v2' is not allowed (allowed: qantara.dev/v1)"),
    "non-mapping top level": ("- apiVersion: qantara.dev/v1\n",
                              "1:1: the top level must be a mapping (key: value), found a list"),
    "variant weights not adding to 100": (
        MINIMAL + "  components:\n    serving:\n      models:\n        - name: risk\n          variants:\n"
        "            - {name: champion, weight: 90, image: v1}\n            - {name: challenger, weight: 20, image: v2}\n",
        "18:13: spec.components.serving.models[0].variants: weights add up to 110 (90 + 20); they are percentages "
        "and must add up to 100"),
    "log retention CloudWatch refuses": (
        MINIMAL.replace("    - name: dev\n", "    - {name: dev, logRetentionDays: 100}\n"),
        "12:37: spec.environments[0].logRetentionDays: 100 is not a retention CloudWatch accepts (allowed: 1, 3,"),
    "vpn link without the site's gateway": (
        MINIMAL.replace("deployment: cloud", "deployment: hybrid")
        + "  onPrem:\n    site: ruh-dc1\n    country: SA\n    connectivity: {kind: vpn, siteCidrs: [10.20.0.0/16]}\n",
        "16:19: spec.onPrem.connectivity.customerGatewayIp: a vpn link needs the site's customerGatewayIp"),
    "outposts without an outpost": (
        MINIMAL.replace("deployment: cloud", "deployment: hybrid")
        + "  onPrem: {site: ruh-dc1, country: SA, kind: outposts}\n",
        "13:11: spec.onPrem.outpostArn: kind 'outposts' needs the outpostArn"),
    "deploy access from a non-repository": (
        MINIMAL + "  deployAccess: {provider: github, repository: just-a-name}\n",
        "13:48: spec.deployAccess.repository: 'just-a-name' is not a repository path such as my-org/my-repo"),
    "alias bomb": (alias_bomb(), "alias expansion exceeds 10000 nodes"),
    "empty file": ("", ": file is empty"),
    "whitespace and comments only": ("  \n\n# only a comment\n", ": file is empty"),
    "binary file": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ":3: binary file (contains NUL bytes)"),
    "not utf-8": (b"apiVersion: caf\xe9\n", ":1: not UTF-8 text"),
}


@pytest.mark.parametrize("text, expected", BAD.values(), ids=BAD.keys())
def test_bad_blueprint_is_one_located_line(write, text, expected):
    path = write(text)
    started = time.perf_counter()
    line = refusal(path)
    assert time.perf_counter() - started < 1.0
    assert line.startswith(f"{path}:")
    assert expected in line


def test_every_problem_is_reported_in_file_order(write):
    text = MINIMAL.replace("name: gulf-ml", "name: Gulf").replace("deployment: cloud", "deployment: clod")
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(write(text))
    assert [p.field for p in caught.value.problems] == ["metadata.name", "spec.deployment"]


def test_python_callers_may_use_field_names():
    model = Blueprint(
        api_version="qantara.dev/v1", kind="Blueprint",
        metadata={"name": "x", "owner": "me"},
        spec={"jurisdiction": "SA", "data_classification": "secret", "deployment": "on-prem",
              "on_prem": {"site": "ruh-dc1", "country": "SA"}, "environments": [{"name": "prod"}]},
    )
    assert model.spec.on_prem.country == "SA"


def test_environment_profiles_default_by_production_and_yield_to_the_blueprint(write):
    from qantara.blueprint.profiles import environment_profile

    model = load_blueprint(write(MINIMAL.replace(
        "    - name: dev\n",
        "    - name: dev\n    - name: prod\n    - {name: perf, production: true, instanceCount: 6, logRetentionDays: 90}\n",
    ))).model
    dev, prod, perf = (environment_profile(model, name) for name in ("dev", "prod", "perf"))
    assert (dev.production, dev.instance_count, dev.deletion_protection) == (False, 1, False)
    assert (prod.production, prod.instance_count, prod.deletion_protection) == (True, 2, True)
    assert prod.log_retention_days >= dev.log_retention_days >= 365
    assert (perf.instance_count, perf.max_instance_count, perf.log_retention_days) == (6, 6, 90)
