"""An AWS Outposts site (onPrem.kind: outposts): placed, planned, judged and provisioned."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys

import pulumi
import pytest
import yaml
from onprem_plans import SA_GOVERNMENT, SA_OUTPOSTS, provision, refusal, rewritten
from pod_checks import of_type

from qantara.blueprint.loader import load_blueprint
from qantara.catalog import load_catalog
from qantara.paths import catalog_dir
from qantara.plan.builder import plan_blueprint
from qantara.plan.location import locate_resources
from qantara.policy.evaluate import evaluate, policy_input
from qantara.policy.library import policy_packages
from qantara.sovereignty.placement import resolve_placement

OUTPOST_ID = "op-0a1b2c3d4e5f60718"
ON_THE_OUTPOST = {"kind": "onprem", "site": "riyadh-outpost1", "country": "SA", "outpost": OUTPOST_ID,
                  "parentRegion": "me-south-1"}
OUTPOSTS_TYPES = ("aws:s3control/", "aws:s3outposts/", "aws:s3/accessPoint:")
NETWORK = ("    outpostNetwork:\n      vpcId: vpc-0a1b2c3d4e5f60718\n      subnetId: subnet-0a1b2c3d4e5f60718\n"
           "      subnetCidr: 198.51.100.0/24\n      securityGroupId: sg-0a1b2c3d4e5f60718\n")
RESIDENCY = tuple(p for p in policy_packages() if p.package == "qantara.resources.residency")


def on_outposts(resource: dict) -> bool:
    return resource["type"].startswith(OUTPOSTS_TYPES)


@pytest.fixture(scope="module")
def prod_plan() -> dict:
    """The whole platform's plan, as `qantara plan` makes it: the cloud side and the site."""
    loaded = load_blueprint(SA_OUTPOSTS)
    return plan_blueprint(loaded, "prod")


# Placement.

def test_an_outpost_of_a_region_the_catalog_does_not_know_is_refused(tmp_path):
    path = rewritten(tmp_path, SA_OUTPOSTS, (":outposts:me-south-1:", ":outposts:me-west-9:"))
    (problem,) = refusal(path).problems
    assert problem.field == "spec.onPrem.outpostArn"
    assert "parent region 'me-west-9' (in outpostArn) is not an AWS region known to the catalog" in problem.message
    assert "me-south-1" in problem.message


def test_an_outpost_anchored_to_a_region_without_outposts_is_refused(tmp_path):
    path = rewritten(tmp_path, SA_OUTPOSTS, (":outposts:me-south-1:", ":outposts:eu-central-2:"))
    (problem,) = refusal(path).problems
    assert problem.field == "spec.onPrem.outpostArn"
    assert "parent region eu-central-2 does not offer AWS Outposts (per the region catalog)" in problem.message
    assert problem.message.endswith("region near SA that offers AWS Outposts: me-south-1, me-central-1")


def test_storing_data_on_an_outpost_needs_the_network_it_is_reached_from(tmp_path):
    path = rewritten(tmp_path, SA_OUTPOSTS, (NETWORK, ""))
    (problem,) = refusal(path).problems
    assert problem.field == "spec.onPrem.outpostNetwork"
    assert "(dataLake, featureStore, modelRegistry)" in problem.message
    assert "vpcId, subnetId, subnetCidr and securityGroupId" in problem.message


def test_an_outpost_storing_nothing_needs_no_s3_on_outposts(tmp_path):
    disabled = "".join(f"    {name}:\n      enabled: false\n" for name in ("dataLake", "featureStore", "modelRegistry"))
    path = rewritten(tmp_path, SA_OUTPOSTS, (NETWORK, ""), (":outposts:me-south-1:", ":outposts:me-central-1:"),
                     ("  components:\n", "  components:\n" + disabled))
    placement = resolve_placement(load_blueprint(path))
    # The example keeps its audit trail in the parent region (placement: cloud), so only these stay.
    assert set(placement.onprem_components()) == {"serving", "monitoring"}
    assert not any("service link carries" in " ".join(p.warnings) for p in placement.components.values())


def test_an_outpost_network_on_a_kubernetes_site_is_one_located_error_exit_2(tmp_path):
    path = rewritten(tmp_path, SA_GOVERNMENT, ("    kind: kubernetes\n", "    kind: kubernetes\n" + NETWORK))
    result = subprocess.run([sys.executable, "-c", "from qantara.cli import main; main()", "validate", str(path)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2, (result.stdout, result.stderr)
    (line,) = result.stderr.strip().splitlines()
    line_number = path.read_text(encoding="utf-8").splitlines().index("    outpostNetwork:") + 1
    assert line.startswith(f"{path}:{line_number + 1}:")
    assert "spec.onPrem.outpostNetwork: outpostNetwork only applies to kind 'outposts'" in line
    assert "Traceback" not in result.stderr


def test_components_stored_on_the_outpost_are_warned_what_crosses_to_the_parent_region():
    placement = resolve_placement(load_blueprint(SA_OUTPOSTS))
    for name in ("dataLake", "featureStore", "modelRegistry"):
        (warning,) = [w for w in placement.components[name].warnings if "service link" in w]
        assert warning.startswith(f"{name} keeps its objects (storage class OUTPOSTS) on the Outpost at site "
                                  "riyadh-outpost1 in SA")
        assert ("control-plane metadata (bucket and access point names, tags, bucket policies and lifecycle rules, "
                "API activity recorded by CloudTrail) to the parent region me-south-1 in BH") in warning
    for name in ("experimentTracking", "serving", "monitoring", "audit"):
        assert not any("service link" in w for w in placement.components[name].warnings)
    assert any("SSE-S3" in w for w in placement.components["dataLake"].warnings)


def test_data_that_must_stay_on_premises_is_warned_that_aws_operates_the_outpost(tmp_path):
    path = rewritten(tmp_path, SA_GOVERNMENT, ("    kind: kubernetes\n", "    kind: outposts\n    outpostArn: "
                                               f"arn:aws:outposts:me-south-1:123456789012:outpost/{OUTPOST_ID}\n"
                                               + NETWORK))
    placement = resolve_placement(load_blueprint(path))
    for name, component in placement.components.items():
        assert component.requirement == "on-prem", name
        assert any("AWS operates an Outpost through its service link to me-south-1" in w
                   for w in component.warnings), name


# The plan.

def test_the_plan_puts_every_outposts_resource_on_the_site_in_sa_and_only_internal_data_in_the_region(prod_plan):
    resources = prod_plan["resources"]
    outposts = [r for r in resources if on_outposts(r)]
    assert len(outposts) == 1 + 4 * 4  # the endpoint, and raw, curated, artifacts, features with their children
    assert all(r["location"] == ON_THE_OUTPOST and r["dataClassification"] == "restricted" for r in outposts)
    (provider,) = [r for r in resources if r["name"] == "aws-outpost-riyadh-outpost1"]
    assert provider["location"] == {"kind": "cloud", "cloud": "aws", "region": "me-south-1", "country": "BH"}
    regional = [r for r in resources if r["location"].get("kind") == "cloud" and not r["type"].startswith("pulumi:")]
    assert regional and {r["location"]["region"] for r in regional} == {"me-south-1"}
    assert {r["dataClassification"] for r in regional} == {"internal"}
    assert {r["location"]["kind"] for r in resources if r["type"].startswith("kubernetes:")} == {"onprem"}


def test_without_an_on_prem_site_an_outposts_resource_keeps_its_region(prod_plan):
    resources = copy.deepcopy(prod_plan["resources"])
    for resource in resources:
        resource.pop("location")
    locate_resources(resources, stack_region="me-south-1", catalog=load_catalog(), onprem=None)
    assert {r["location"]["region"] for r in resources if on_outposts(r)} == {"me-south-1"}


def test_an_outposts_bucket_known_by_its_arn_is_on_its_outpost():
    bucket_arn = f"arn:aws:s3-outposts:me-south-1:123456789012:outpost/{OUTPOST_ID}/bucket/raw"
    resources = [{"urn": "urn:pulumi:prod::qantara::aws:s3/accessPoint:AccessPoint::raw", "type": "aws:s3/accessPoint:AccessPoint",
                  "name": "raw", "provider": "", "inputs": {"bucket": bucket_arn}}]
    locate_resources(resources, stack_region="eu-west-1", catalog=load_catalog(),
                     onprem={"site": "riyadh-outpost1", "country": "SA"})
    assert resources[0]["location"] == ON_THE_OUTPOST


# The residency policy on that plan.

def residency(plan: dict) -> list[dict]:
    blueprint = load_blueprint(SA_OUTPOSTS).model.model_dump(mode="json", by_alias=True)
    document = policy_input(blueprint=blueprint, plan=plan, environment={"name": "prod", "enforcement": "mandatory"},
                            today=dt.date(2026, 11, 23))
    return evaluate(document, ("resources",), packages=RESIDENCY)


def test_restricted_sa_data_on_the_outpost_passes_residency_and_the_same_bucket_in_me_south_1_fails(prod_plan):
    assert residency(prod_plan) == []
    moved = copy.deepcopy(prod_plan)
    (bucket,) = [r for r in moved["resources"] if r["name"] == "outposts-data-lake-raw"]
    bucket["location"] = {"kind": "cloud", "cloud": "aws", "region": "me-south-1", "country": "BH"}
    (finding,) = residency(moved)
    assert (finding["policy"], finding["resource"]) == ("QA-RES-001", bucket["urn"])
    assert "must stay in SA" in finding["message"]


# Provisioning.

def test_an_outposts_site_stores_in_s3_on_outposts_instead_of_minio():
    resources, outputs = provision(SA_OUTPOSTS, "prod")
    assert not of_type(resources, "kubernetes:apps/v1:StatefulSet")
    buckets = of_type(resources, "aws:s3control/bucket:Bucket")
    assert {b["name"] for b in buckets} == {f"outposts-data-lake-{p}" for p in ("raw", "curated", "artifacts", "features")}
    (endpoint,) = of_type(resources, "aws:s3outposts/endpoint:Endpoint")
    assert (endpoint["inputs"]["subnetId"], endpoint["inputs"]["securityGroupId"]) == (
        "subnet-0a1b2c3d4e5f60718", "sg-0a1b2c3d4e5f60718")
    assert set(outputs) == {"onPremNamespace", "onPremTrackingUri", "onPremTrackingInternalUri", "onPremDataLakeBuckets",
                            "onPremDataLakeAccessPoints"}


def test_the_outposts_provider_is_in_the_parent_region_with_the_platform_tags():
    resources, _ = provision(SA_OUTPOSTS, "prod")
    (provider,) = of_type(resources, "pulumi:providers:aws")
    assert provider["inputs"]["region"] == "me-south-1"
    # Provider inputs travel as JSON text, as the engine sends provider configuration.
    assert json.loads(provider["inputs"]["defaultTags"])["tags"] == {
        "cost-centre": "rh-ml-02", "environment": "prod", "owner": "data-office@riyadh-health.example",
        "qantara-blueprint": "riyadh-outpost-ml"}
    assert all(r["provider"] == provider["urn"] for r in resources if r["type"].startswith("aws:"))
    for bucket in of_type(resources, "aws:s3control/bucket:Bucket"):
        assert bucket["inputs"]["tags"]["data-classification"] == "restricted"


def test_the_tracking_server_keeps_its_artifacts_on_the_outpost_through_the_artifacts_access_point():
    resources, _ = provision(SA_OUTPOSTS, "prod", config={"qantara:outpostsAccessKeyId": "AKIAFROMCONFIG00000"})
    (mlflow,) = [r for r in of_type(resources, "kubernetes:apps/v1:Deployment") if r["name"] == "mlflow-deployment"]
    (container,) = mlflow["inputs"]["spec"]["template"]["spec"]["containers"]
    variables = {v["name"]: v for v in container["env"]}
    assert variables["AWS_DEFAULT_REGION"]["value"] == "me-south-1"
    assert "MLFLOW_S3_ENDPOINT_URL" not in variables  # no MinIO: the client finds S3 on Outposts itself
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert variables[key]["valueFrom"]["secretKeyRef"] == {"name": "mlflow-outposts-credentials", "key": key}
    (secret,) = [r for r in of_type(resources, "kubernetes:core/v1:Secret") if r["name"] == "mlflow-outposts-credentials"]
    assert secret["inputs"]["stringData"] == "[secret]"
    assert "AKIAFROMCONFIG00000" not in str(resources)
    # The alias of the artifacts access point is known only once it exists.
    access_point = next(r for r in resources if r["name"] == "outposts-data-lake-artifacts-access-point")
    assert access_point["urn"] in mlflow["dependencies"] or any(
        access_point["urn"] in urns for urns in mlflow["propertyDependencies"].values())


def test_the_namespace_may_reach_the_outposts_endpoint_subnet_over_https_only():
    resources, _ = provision(SA_OUTPOSTS, "dev")
    (policy,) = [r for r in resources if r["name"] == "onprem-namespace-allow-https-to-object-store"]
    (rule,) = policy["inputs"]["spec"]["egress"]
    assert rule["to"] == [{"ipBlock": {"cidr": "198.51.100.0/24"}}]
    assert rule["ports"] == [{"protocol": "TCP", "port": 443}]


def test_an_environment_sharing_the_vpc_uses_the_endpoint_another_made():
    resources, _ = provision(SA_OUTPOSTS, "dev", config={"qantara:outpostsEndpoint": "existing"})
    assert not of_type(resources, "aws:s3outposts/endpoint:Endpoint")
    with pytest.raises(pulumi.RunError, match="qantara:outpostsEndpoint is 'reuse' \\(allowed: create, existing\\)"):
        provision(SA_OUTPOSTS, "dev", config={"qantara:outpostsEndpoint": "reuse"})


def test_pulumi_up_refuses_to_run_without_the_outposts_key(monkeypatch):
    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: False)
    with pytest.raises(pulumi.RunError, match="qantara:outpostsAccessKeyId .* is not set: pulumi config set --secret"):
        provision(SA_OUTPOSTS, "prod")


# The facts behind it.

def test_every_outposts_fact_names_its_sources_and_every_uncertain_one_says_why():
    facts = yaml.safe_load((catalog_dir() / "outposts.yaml").read_text(encoding="utf-8"))
    assert facts["checked"] == "2026-11-23"
    services = load_catalog()["aws_regions"]["services"]
    assert facts["anchorService"] in services and facts["requiredService"] in services
    for fact in facts["facts"]:
        assert fact["fact"] and fact["sources"], fact["id"]
        if fact.get("uncertain"):
            assert fact["why"].strip(), fact["id"]
