"""Real Pulumi output becomes the same Plan document the offline planner produces.

The reference files are real Pulumi CLI output (tests/fixtures/reference/pulumi-json/README.txt says
where each comes from); the fixtures beside this file are hand-made for what the reference
files lack: secrets, unknowns and a `pulumi preview --json` document, whose shape follows
Pulumi's source (tests/plan/fixtures/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qantara.errors import EXIT_BAD_INPUT, PlanError
from qantara.plan.document import SECRET, UNKNOWN
from qantara.plan.importers import MAX_PLAN_BYTES, load_plan_file

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "pulumi-json"
REFERENCE_FILES = sorted(REFERENCE.glob("*.json*"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
STACK_EXPORT = FIXTURES / "stack-export_secret-values.json"
PREVIEW = FIXTURES / "preview-digest_lake-change.json"
EVENTS = REFERENCE / "engine-events_preview_aws-ts-webserver.jsonl"
CUSTOM_PROVIDER = REFERENCE / "stack-export_awsx_vpc-custom-provider.json"

KIND_BY_PREFIX = {
    "stack-export_": "pulumi-stack-export",
    "checkpoint-": "pulumi-checkpoint",
    "engine-events_": "pulumi-engine-events",
    "preview-digest_": "pulumi-preview",
}


def kind_of(path: Path) -> str:
    return next(kind for prefix, kind in KIND_BY_PREFIX.items() if path.name.startswith(prefix))


def raw_urns(path: Path) -> list[str]:
    """The URNs of the resources a file holds, read straight from the raw JSON."""
    if path.suffix == ".jsonl":
        urns: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            for key in ("resourcePreEvent", "resOutputsEvent"):
                if key in event and event[key]["metadata"]["urn"] not in urns:
                    urns.append(event[key]["metadata"]["urn"])
        return urns
    document = json.loads(path.read_text(encoding="utf-8"))
    if "steps" in document:
        return list(dict.fromkeys(s["urn"] for s in document["steps"] if s["op"] != "delete"))
    state = document["deployment"] if "deployment" in document else document["checkpoint"]["latest"]
    return [r["urn"] for r in state["resources"] if not r.get("delete")]


def by_name(plan: dict) -> dict[str, dict]:
    return {r["name"]: r for r in plan["resources"]}


def write(tmp_path: Path, text: str, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, **kwargs) -> str:
    with pytest.raises(PlanError) as caught:
        load_plan_file(path, **kwargs)
    message = caught.value.message
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert message.startswith(str(path)) and "\n" not in message
    return message


# Every file imports, whole.

def test_there_are_reference_files_of_every_real_format():
    assert {kind_of(p) for p in REFERENCE_FILES} == {"pulumi-stack-export", "pulumi-checkpoint", "pulumi-engine-events"}
    assert len(REFERENCE_FILES) >= 6


@pytest.mark.parametrize("path", [*REFERENCE_FILES, STACK_EXPORT, PREVIEW], ids=lambda p: p.name)
def test_every_file_imports_as_a_plan_document_of_its_own_kind(path):
    plan = load_plan_file(path)
    assert (plan["apiVersion"], plan["kind"]) == ("qantara.dev/v1", "Plan")
    assert plan["source"]["kind"] == kind_of(path)
    assert plan["source"]["file"] == str(path)
    for resource in plan["resources"]:
        assert {"urn", "type", "name", "parent", "provider", "custom", "inputs", "dependencies",
                "propertyDependencies", "location", "dataClassification"} <= set(resource)


@pytest.mark.parametrize("path", [*REFERENCE_FILES, STACK_EXPORT, PREVIEW], ids=lambda p: p.name)
def test_every_resource_of_the_file_is_in_the_plan_once(path):
    plan = load_plan_file(path)
    assert [r["urn"] for r in plan["resources"]] == raw_urns(path)
    assert plan["source"]["resources"] == len(raw_urns(path))


@pytest.mark.parametrize("path", [*REFERENCE_FILES, STACK_EXPORT, PREVIEW], ids=lambda p: p.name)
def test_names_and_types_come_from_the_urn(path):
    for resource in load_plan_file(path)["resources"]:
        assert resource["name"] == resource["urn"].rsplit("::", 1)[-1]
        assert resource["urn"].split("::")[2].rsplit("$", 1)[-1] == resource["type"]


def test_a_name_holding_the_separator_is_everything_after_the_type(tmp_path):
    # Pulumi's own rule (URN.Name in sdk/go/common/resource/urn.go).
    urn = "urn:pulumi:dev::p::aws:s3/bucket:Bucket::logs::eu"
    path = write(tmp_path, json.dumps({"version": 3, "deployment": {"resources": [
        {"urn": urn, "type": "aws:s3/bucket:Bucket", "custom": True, "inputs": {}}]}}))
    assert load_plan_file(path)["resources"][0]["name"] == "logs::eu"


def test_stack_and_project_are_read_from_the_urns():
    source = load_plan_file(CUSTOM_PROVIDER)["source"]
    assert (source["project"], source["stack"], source["pulumiVersion"]) == ("nodejs", "test", "v3.90.0")


def test_a_checkpoints_resources_keep_their_parent_and_dependencies():
    plan = load_plan_file(REFERENCE / "checkpoint-v3_pulumi_countdown.json")
    topic = next(r for r in plan["resources"] if r["urn"].endswith("aws:sns/topic:Topic::countDown"))
    assert topic["parent"] == "urn:pulumi:foo::countdown::cloud:topic:Topic::countDown"
    role = next(r for r in plan["resources"] if r["type"] == "aws:iam/role:Role")
    assert role["propertyDependencies"] == {"assumeRolePolicy": []}


# Values: secrets masked, unknowns marked, outputs when inputs are missing.

def test_secrets_never_appear_in_an_imported_plan():
    plan = load_plan_file(STACK_EXPORT)
    assert by_name(plan)["db-password"]["inputs"]["secretString"] == SECRET
    assert by_name(plan)["catalog-db"]["inputs"]["password"] == SECRET
    text = json.dumps(plan)
    assert "CIPHERTEXT-OF-THE-DB-PASSWORD" not in text and "hunter2-plaintext" not in text


def test_a_resource_without_inputs_is_read_from_its_outputs():
    catalog_db = by_name(load_plan_file(STACK_EXPORT))["catalog-db"]
    assert catalog_db["inputs"]["engine"] == "postgres" and catalog_db["inputs"]["storageEncrypted"] is True


def test_values_a_preview_cannot_know_are_marked_unknown_and_printed_secrets_stay_masked():
    plan = load_plan_file(PREVIEW)
    rules = by_name(plan)["features-encryption"]["inputs"]["rules"]
    assert rules[0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == UNKNOWN
    assert by_name(plan)["api-token"]["inputs"]["secretString"] == SECRET
    assert "04da6b54-80e4-46f7-96ec-b56ff0331ba9" not in json.dumps(plan["resources"])


def test_the_preview_keeps_property_dependencies_for_policies_to_join_on():
    encryption = by_name(load_plan_file(PREVIEW))["features-encryption"]
    assert encryption["propertyDependencies"]["bucket"] == ["urn:pulumi:prod::lake::aws:s3/bucket:Bucket::features"]


def test_the_data_class_tag_of_an_imported_resource_is_its_class():
    assert by_name(load_plan_file(STACK_EXPORT))["raw"]["dataClassification"] == "restricted"


# Planned state: pending deletes, replacements and deletions.

def test_a_pending_delete_is_left_out_and_said_so():
    plan = load_plan_file(STACK_EXPORT)
    buckets = [r for r in plan["resources"] if r["name"] == "raw"]
    assert len(buckets) == 1 and buckets[0]["inputs"]["bucket"] == "lake-prod-raw"
    assert plan["source"]["pendingDeletes"] == ["urn:pulumi:prod::lake::aws:s3/bucket:Bucket::raw"]
    assert plan["source"]["resourcesInFile"] == 6


def test_the_event_log_gives_the_planned_state_with_the_replaced_instance_once_and_new():
    plan = load_plan_file(EVENTS)
    instances = [r for r in plan["resources"] if r["type"] == "aws:ec2/instance:Instance"]
    assert len(instances) == 1
    assert "Hello, Pulumi!" in instances[0]["inputs"]["userData"]  # the new user data; the old said World
    assert plan["source"]["preview"] is True
    assert plan["source"]["ops"] == {"same": 2, "create-replacement": 1, "replace": 1, "delete-replaced": 1}


def test_the_event_log_takes_the_provider_of_the_step_when_the_state_has_none():
    instance = by_name(load_plan_file(EVENTS))["web-server-www"]
    assert instance["provider"] == "urn:pulumi:dev::aws-ts-webserver::pulumi:providers:aws::default_3_38_1"
    assert instance["custom"] is True


def test_the_preview_gives_the_planned_state():
    plan = load_plan_file(PREVIEW)
    names = [r["name"] for r in plan["resources"]]
    assert "scratch" not in names  # deleted by the preview
    assert names.count("trainer") == 1
    assert by_name(plan)["trainer"]["inputs"]["instanceType"] == "m5.large"
    assert plan["source"]["removed"] == ["urn:pulumi:prod::lake::aws:s3/bucket:Bucket::scratch"]


def test_an_event_log_delete_removes_the_resource(tmp_path):
    urn = "urn:pulumi:dev::p::aws:s3/bucket:Bucket::old"
    lines = [
        {"sequence": 0, "timestamp": 1, "preludeEvent": {"config": {"aws:region": "me-central-1"}}},
        {"sequence": 1, "timestamp": 1, "resourcePreEvent": {"metadata": {
            "op": "delete", "urn": urn, "type": "aws:s3/bucket:Bucket",
            "old": {"urn": urn, "type": "aws:s3/bucket:Bucket", "custom": True, "inputs": {}}, "new": None}}},
        {"sequence": 2, "timestamp": 1, "resOutputsEvent": {"metadata": {
            "op": "delete", "urn": urn, "type": "aws:s3/bucket:Bucket",
            "old": {"urn": urn, "type": "aws:s3/bucket:Bucket", "custom": True, "inputs": {}}, "new": None}}},
        {"sequence": 3, "timestamp": 1, "summaryEvent": {"resourceChanges": {"delete": 1}}},
    ]
    plan = load_plan_file(write(tmp_path, "\n".join(map(json.dumps, lines)) + "\n", "events.jsonl"))
    assert plan["resources"] == [] and plan["source"]["removed"] == [urn]
    assert plan["source"]["ops"] == {"delete": 1} and plan["source"]["stackRegion"] == "me-central-1"


# Where the resources are.

def test_an_explicit_providers_region_locates_its_resources_whatever_its_name():
    plan = load_plan_file(CUSTOM_PROVIDER)
    provider = by_name(plan)["eu-west-1"]
    assert provider["type"] == "pulumi:providers:aws" and provider["inputs"]["region"] == "us-east-1"
    users = [r for r in plan["resources"] if r["provider"] == provider["urn"]]
    assert len(users) == sum(r["type"].startswith("aws:") for r in plan["resources"]) > 0
    assert {(r["location"]["region"], r["location"]["country"]) for r in users} == {("us-east-1", "US")}


def test_the_stack_region_comes_from_the_default_aws_provider_when_the_file_has_no_config():
    plan = load_plan_file(REFERENCE / "stack-export_awsx_ecr-repo.json")
    assert (plan["source"]["stackRegion"], plan["source"]["stackRegionFrom"]) == ("us-west-2", "default aws provider")
    repository = next(r for r in plan["resources"] if r["type"] == "aws:ecr/repository:Repository")
    assert repository["location"]["region"] == "us-west-2"


def test_a_default_provider_the_log_does_not_list_gives_its_resources_the_stack_region():
    plan = load_plan_file(EVENTS)
    assert plan["source"]["stackRegion"] == "us-west-2" and plan["source"]["stackRegionFrom"] == "file config"
    assert plan["source"]["defaultProvidersNotInFile"] == [
        "urn:pulumi:dev::aws-ts-webserver::pulumi:providers:aws::default_3_38_1"]
    assert {r["location"]["region"] for r in plan["resources"] if r["type"].startswith("aws:")} == {"us-west-2"}
    assert not any(r["type"].startswith("pulumi:providers:") for r in plan["resources"])  # no stand-in added


def test_the_preview_locates_resources_by_their_provider_and_the_config_region():
    plan = by_name(load_plan_file(PREVIEW))
    assert plan["features"]["location"] == {"kind": "cloud", "cloud": "aws", "region": "me-central-1", "country": "AE"}
    assert plan["features-replica"]["location"]["region"] == "us-east-1"


def regions_of(plan: dict) -> set[str]:
    return {r["location"]["region"] for r in plan["resources"] if r["location"]["kind"] == "cloud"}


def test_without_any_region_record_resources_are_where_their_arns_say_or_unknown_until_a_stack_region_is_given():
    path = REFERENCE / "checkpoint-v3_pulumi_countdown.json"
    plan = by_name(load_plan_file(path))
    # The topic's ARN says where it is; a permission has no ARN of its own and no region record.
    topic = next(r for r in plan.values() if r["type"] == "aws:sns/topic:Topic")
    assert topic["location"] == {"kind": "cloud", "cloud": "aws", "region": "us-east-2", "country": "US"}
    permission = next(r for r in plan.values() if r["type"] == "aws:lambda/permission:Permission")
    assert permission["location"]["kind"] == "unknown"
    assert permission["location"]["reason"].startswith("provider region comes from the environment")
    given = load_plan_file(path, stack_region="us-east-2")
    assert regions_of(given) == {"us-east-2"}
    assert not any(r["location"]["kind"] == "unknown" for r in given["resources"])
    assert given["source"]["stackRegionFrom"] == "argument"


def test_the_files_own_region_wins_over_a_different_one_given_and_a_warning_says_so():
    plan = load_plan_file(PREVIEW, stack_region="eu-west-1")
    assert plan["source"]["stackRegion"] == "me-central-1"
    assert "eu-west-1" in plan["source"]["warnings"][0]


def test_global_services_are_global_and_components_logical():
    plan = load_plan_file(REFERENCE / "stack-export_awsx_ts-lb-simple.json")
    kinds = {r["type"]: r["location"]["kind"] for r in plan["resources"]}
    assert kinds["aws:iam/role:Role"] == "global"
    assert kinds["awsx:ec2:Vpc"] == "logical" and kinds["pulumi:pulumi:Stack"] == "logical"


# Versions.

@pytest.mark.parametrize("version", [1, 2])
def test_older_state_versions_read_like_version_3(tmp_path, version):
    urn = "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b"
    document = {"version": version, "checkpoint": {"stack": "dev", "latest": {"manifest": {}, "resources": [
        {"urn": urn, "custom": True, "type": "aws:s3/bucket:Bucket", "inputs": {"bucket": "b"}, "dependencies": []}]}}}
    plan = load_plan_file(write(tmp_path, json.dumps(document)), stack_region="me-central-1")
    assert plan["source"]["version"] == version
    assert plan["resources"][0]["location"]["region"] == "me-central-1"


def test_a_state_never_deployed_is_an_empty_plan(tmp_path):
    plan = load_plan_file(write(tmp_path, json.dumps({"version": 3, "checkpoint": {"stack": "dev", "latest": None}})))
    assert plan["resources"] == []


def test_a_file_written_by_powershell_in_utf16_is_read(tmp_path):
    path = tmp_path / "export.json"
    path.write_bytes(STACK_EXPORT.read_text(encoding="utf-8").encode("utf-16"))
    assert len(load_plan_file(path)["resources"]) == 5


# Bad input: one PlanError naming the file, the line where known, and what is allowed.

def test_a_file_that_is_not_json_is_refused_with_its_line(tmp_path):
    message = refused(write(tmp_path, '{\n  "version": 3,\n  "deployment": {,\n}\n'))
    assert message.startswith(f"{tmp_path / 'plan.json'}:3: not valid JSON")
    assert "pulumi stack export" in message and "pulumi preview --json" in message


def test_an_empty_file_is_refused(tmp_path):
    assert "not valid JSON" in refused(write(tmp_path, ""))


def test_an_event_log_broken_at_a_line_is_refused_at_that_line(tmp_path):
    lines = EVENTS.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4][:40]
    message = refused(write(tmp_path, "\n".join(lines), "events.jsonl"))
    assert message.startswith(f"{tmp_path / 'events.jsonl'}:5: not valid JSON")
    assert "one JSON object per line" in message


def test_an_event_log_line_that_is_not_an_object_is_refused_at_that_line(tmp_path):
    lines = EVENTS.read_text(encoding="utf-8").splitlines()
    lines[2] = "[1, 2]"
    assert refused(write(tmp_path, "\n".join(lines), "events.jsonl")).startswith(f"{tmp_path / 'events.jsonl'}:3: a JSON array")


def test_an_event_without_urn_is_refused_at_its_line(tmp_path):
    lines = EVENTS.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[3])
    del event["resourcePreEvent"]["metadata"]["urn"]
    lines[3] = json.dumps(event)
    message = refused(write(tmp_path, "\n".join(lines), "events.jsonl"))
    assert message.startswith(f"{tmp_path / 'events.jsonl'}:4: metadata: a step without `urn`")


@pytest.mark.parametrize("document, expected", [
    ({"resources": []}, "not a Pulumi plan file (top-level keys: resources)"),
    ([{"urn": "x"}], "a JSON array, not an object"),
    ({"version": 3}, "not a Pulumi plan file"),
], ids=["unknown keys", "array", "version alone"])
def test_an_unknown_format_is_refused_naming_the_allowed_ones(tmp_path, document, expected):
    message = refused(write(tmp_path, json.dumps(document)))
    assert expected in message and "local-backend checkpoint" in message and "engine event log" in message


@pytest.mark.parametrize("version", [4, 0, "3", None, True])
def test_an_unknown_version_is_refused(tmp_path, version):
    message = refused(write(tmp_path, json.dumps({"version": version, "deployment": {"resources": []}})))
    assert f"version: version {version!r} is not one this reader knows" in message
    assert "versions 1, 2, 3" in message


@pytest.mark.parametrize("resource, expected", [
    ({"type": "aws:s3/bucket:Bucket"}, "a resource without `urn`"),
    ({"urn": "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b"}, "a resource without `type`"),
    ({}, "a resource without `urn and type`"),
    ("urn:pulumi:dev::p::aws:s3/bucket:Bucket::b", "a resource must be an object"),
    ({"urn": "bucket-b", "type": "aws:s3/bucket:Bucket"}, "is not a Pulumi URN"),
    ({"urn": "urn:pulumi:dev::p::t:m:T::b", "type": "t:m:T", "inputs": [1]}, "`inputs` must be an object"),
    ({"urn": "urn:pulumi:dev::p::t:m:T::b", "type": "t:m:T", "dependencies": [1]}, "must hold URN strings"),
], ids=["no urn", "no type", "neither", "not an object", "bad urn", "inputs list", "bad dependencies"])
def test_a_bad_resource_is_refused_naming_where_it_is(tmp_path, resource, expected):
    good = {"urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", "type": "pulumi:pulumi:Stack"}
    message = refused(write(tmp_path, json.dumps({"version": 3, "deployment": {"resources": [good, resource]}})))
    assert "deployment.resources[1]: " in message and expected in message


def test_a_bad_preview_step_is_refused_naming_it(tmp_path):
    document = {"steps": [{"op": "create", "newState": {"type": "t:m:T"}}]}
    assert "steps[0]: a step without `urn`" in refused(write(tmp_path, json.dumps(document)))


def test_a_file_over_100_mib_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_PLAN_BYTES + 1)  # sparse: costs no disk
    assert "larger than 100 MiB" in refused(path)


def test_a_missing_file_a_directory_and_binary_data_are_refused(tmp_path):
    assert "no such file" in refused(tmp_path / "absent.json")
    assert "is a directory" in refused(tmp_path)
    binary = tmp_path / "plan.bin"
    binary.write_bytes(b"\xff\xfe\x00\x00garbage\x80\x81")
    refused(binary)


def test_json_nested_too_deeply_is_refused_not_crashed(tmp_path):
    assert "nested too deeply" in refused(write(tmp_path, "[" * 200_000 + "]" * 200_000))


def test_a_default_provider_recorded_without_a_region_leaves_resources_to_their_arns():
    plan = load_plan_file(REFERENCE / "stack-export_awsx_ts-lb-simple.json")
    vpc = next(r for r in plan["resources"] if r["type"] == "aws:ec2/vpc:Vpc")
    assert vpc["location"] == {"kind": "cloud", "cloud": "aws", "region": "us-west-2", "country": "US"}
    route = next(r for r in plan["resources"] if r["type"] == "aws:ec2/route:Route")
    assert route["location"]["kind"] == "unknown"
    assert "default_5_35_0" in route["location"]["reason"]
    assert not any("_observedRegion" in r for r in plan["resources"])


def test_an_s3_bucket_whose_arn_names_no_region_is_located_by_its_region_output():
    plan = load_plan_file(REFERENCE / "stack-export_awsx_cloudtrail-s3.json")
    buckets = [r for r in plan["resources"] if r["type"] == "aws:s3/bucket:Bucket"]
    assert buckets and {r["location"]["region"] for r in buckets} == {"us-west-2"}
    # A bucket policy has no ARN: it is where the bucket it was given is.
    policies = [r for r in plan["resources"] if r["type"] == "aws:s3/bucketPolicy:BucketPolicy"]
    assert policies and {r["location"]["region"] for r in policies} == {"us-west-2"}


def _export(resources: list[dict]) -> str:
    return json.dumps({"version": 3, "deployment": {"manifest": {}, "resources": resources}})


EKS_URN = "urn:pulumi:prod::ml::aws:eks/cluster:Cluster::ml-cluster"
AWS_PROVIDER = "urn:pulumi:prod::ml::pulumi:providers:aws::default_7_0_0"
K8S_PROVIDER = "urn:pulumi:prod::ml::pulumi:providers:kubernetes::eks-k8s"
SECRET_WIRE = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:AAAA"}


def _eks_export(k8s_provider: dict) -> list[dict]:
    return [
        {"urn": AWS_PROVIDER, "type": "pulumi:providers:aws", "custom": True, "id": "p1", "inputs": {}},
        {"urn": EKS_URN, "type": "aws:eks/cluster:Cluster", "custom": True, "provider": f"{AWS_PROVIDER}::p1",
         "inputs": {"name": "ml-cluster"}, "outputs": {"arn": "arn:aws:eks:us-east-1:123456789012:cluster/ml-cluster"}},
        {"urn": K8S_PROVIDER, "type": "pulumi:providers:kubernetes", "custom": True, "id": "p2", **k8s_provider},
        {"urn": "urn:pulumi:prod::ml::kubernetes:apps/v1:Deployment::scorer", "type": "kubernetes:apps/v1:Deployment",
         "custom": True, "provider": f"{K8S_PROVIDER}::p2", "inputs": {"metadata": {"name": "scorer"}}},
    ]


@pytest.mark.parametrize("onprem", [None, {"site": "riyadh-dc1", "country": "SA"}])
def test_kubernetes_objects_on_an_eks_cluster_of_the_export_are_in_the_clusters_region(tmp_path, onprem):
    provider = {"inputs": {"kubeconfig": SECRET_WIRE}, "propertyDependencies": {"kubeconfig": [EKS_URN]},
                "dependencies": [EKS_URN]}
    plan = load_plan_file(write(tmp_path, _export(_eks_export(provider))), onprem=onprem)
    scorer = by_name(plan)["scorer"]
    assert scorer["location"] == {"kind": "cloud", "cloud": "aws", "region": "us-east-1", "country": "US"}


def test_kubernetes_objects_whose_kubeconfig_names_an_eks_cluster_are_in_its_region(tmp_path):
    kubeconfig = "apiVersion: v1\nclusters:\n- cluster:\n    server: https://0AB1C2.gr7.me-central-1.eks.amazonaws.com\n"
    plan = load_plan_file(write(tmp_path, _export(_eks_export({"inputs": {"kubeconfig": kubeconfig}}))))
    assert by_name(plan)["scorer"]["location"]["region"] == "me-central-1"


def test_kubernetes_objects_of_an_unknown_cluster_without_a_site_are_unknown_not_on_a_null_site(tmp_path):
    plan = load_plan_file(write(tmp_path, _export(_eks_export({"inputs": {"kubeconfig": SECRET_WIRE}}))))
    location = by_name(plan)["scorer"]["location"]
    assert location["kind"] == "unknown" and "no on-prem site" in location["reason"]


def test_a_provider_merely_named_like_the_default_gives_no_stack_region(tmp_path):
    explicit = "urn:pulumi:prod::ml::pulumi:providers:aws::default-eu"
    bucket = "urn:pulumi:prod::ml::aws:s3/bucket:Bucket::raw"
    preview = {"config": {}, "steps": [
        {"op": "create", "urn": explicit, "newState": {"type": "pulumi:providers:aws", "custom": True,
                                                       "inputs": {"region": "eu-west-1"}}},
        {"op": "create", "urn": bucket, "provider": "urn:pulumi:prod::ml::pulumi:providers:aws::default_7_0_0::x",
         "newState": {"type": "aws:s3/bucket:Bucket", "custom": True, "inputs": {"bucket": "raw"}}},
    ]}
    plan = load_plan_file(write(tmp_path, json.dumps(preview)))
    assert plan["source"]["stackRegion"] is None
    assert by_name(plan)["raw"]["location"]["kind"] == "unknown"
    assert by_name(plan)["default-eu"]["location"]["region"] == "eu-west-1"


def test_a_secret_region_in_the_files_config_stays_unknown_whatever_region_is_given(tmp_path):
    bucket = "urn:pulumi:prod::ml::aws:s3/bucket:Bucket::raw"
    preview = {"config": {"aws:region": "[secret]"}, "steps": [
        {"op": "create", "urn": bucket, "provider": "urn:pulumi:prod::ml::pulumi:providers:aws::default::x",
         "newState": {"type": "aws:s3/bucket:Bucket", "custom": True, "inputs": {"bucket": "raw"}}},
    ]}
    location = by_name(load_plan_file(write(tmp_path, json.dumps(preview)), stack_region="me-central-1"))["raw"]["location"]
    assert location["kind"] == "unknown" and "region is a secret" in location["reason"]
