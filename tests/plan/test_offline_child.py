"""The offline planner as `qantara check --program` runs it: a child process per program,
deterministic, with lookups answered or named, transforms applied as the engine applies
them, and its own faults told apart from the program's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qantara.errors import EXIT_BAD_INPUT, EXIT_ENGINE_FAULT, PlanError, PlannerFault
from qantara.plan import child
from qantara.plan.child import plan_program
from qantara.plan.offline_invokes import PLACEHOLDER

CONFIG = {"aws:region": "me-central-1"}
HEADER = ("import pulumi\nimport pulumi_aws as aws\n"
          'provider = aws.Provider("uae", region="me-central-1")\n'
          "opts = pulumi.ResourceOptions(provider=provider)\n")

# Resource objects passed where values are expected: the programs that used to hang or fail
# with "attached to a different loop", depending on thread timing.
RESOURCE_AS_VALUE = {
    "bucket-object-as-bucket-name": """
bucket = aws.s3.Bucket("logs", opts=opts)
aws.s3.BucketPolicy("logs-policy", bucket=bucket, policy="{}", opts=opts)
""",
    "subnet-object-as-subnet-id": """
vpc = aws.ec2.Vpc("main", cidr_block="10.0.0.0/16", opts=opts)
subnet = aws.ec2.Subnet("private", vpc_id=vpc, cidr_block="10.0.1.0/24", opts=opts)
aws.ec2.Instance("worker", subnet_id=subnet, ami="ami-0abcdef1234567890", instance_type="t3.micro", opts=opts)
""",
    "resources-in-depends-on-and-values": """
key = aws.kms.Key("key", opts=opts)
bucket = aws.s3.Bucket("data", opts=pulumi.ResourceOptions(provider=provider, depends_on=[key]))
aws.s3.BucketServerSideEncryptionConfiguration("data-sse", bucket=bucket, rules=[
    {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key}}], opts=opts)
""",
}


def _program(tmp_path: Path, name: str, body: str) -> Path:
    program = tmp_path / name
    program.mkdir()
    (program / "__main__.py").write_text(HEADER + body, encoding="utf-8")
    return program


def _plan(program: Path) -> dict:
    return plan_program(program, project="p", stack="prod", config=CONFIG)


def _by_name(answer: dict) -> dict[str, dict]:
    return {r["name"]: r for r in answer["resources"]}


def test_programs_that_pass_resources_as_values_plan_the_same_on_every_run(tmp_path):
    # The three ways in one program, and one of them alone: ten runs each (a child process each).
    programs = [_program(tmp_path, "all", "".join(RESOURCE_AS_VALUE.values())),
                _program(tmp_path, "one", RESOURCE_AS_VALUE["resources-in-depends-on-and-values"])]
    for program in programs:
        plans = {json.dumps(_plan(program), sort_keys=True) for _ in range(10)}
        assert len(plans) == 1, f"{program.name}: {len(plans)} different plans in ten runs"


def test_a_resource_passed_as_a_value_is_recorded_as_its_urn(tmp_path):
    answer = _plan(_program(tmp_path, "p", RESOURCE_AS_VALUE["bucket-object-as-bucket-name"]))
    assert _by_name(answer)["logs-policy"]["inputs"]["bucket"] == "urn:pulumi:prod::p::aws:s3/bucket:Bucket::logs"


def test_availability_zones_come_from_the_catalog_and_a_policy_document_is_computed(tmp_path):
    answer = _plan(_program(tmp_path, "p", """
zones = aws.get_availability_zones()
document = aws.iam.get_policy_document(statements=[{
    "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::patient-data/*"],
    "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::000000000000:root"]}]}])
aws.ec2.Subnet("a", vpc_id="vpc-0123456789abcdef0", cidr_block="10.0.1.0/24", availability_zone=zones.names[0], opts=opts)
aws.s3.BucketPolicy("read", bucket="patient-data", policy=document.json, opts=opts)
"""))
    resources = _by_name(answer)
    assert resources["a"]["inputs"]["availabilityZone"] == "me-central-1a"
    statement = json.loads(resources["read"]["inputs"]["policy"])["Statement"][0]
    assert statement == {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::patient-data/*",
                         "Principal": {"AWS": "arn:aws:iam::000000000000:root"}}
    assert answer["outcome"]["unansweredInvokes"] == []


def test_availability_zones_of_a_region_the_catalog_lacks_are_not_invented(tmp_path):
    answer = _plan(_program(tmp_path, "p", 'aws.get_availability_zones(region="eu-west-1")\n'))
    assert [u["token"] for u in answer["outcome"]["unansweredInvokes"]] == [
        "aws:index/getAvailabilityZones:getAvailabilityZones"]


def test_a_default_vpc_lookup_is_answered_with_a_marked_placeholder(tmp_path):
    answer = _plan(_program(tmp_path, "p", """
vpc = aws.ec2.get_vpc(default=True)
aws.ec2.SecurityGroup("sg", vpc_id=vpc.id, opts=opts)
"""))
    assert _by_name(answer)["sg"]["inputs"]["vpcId"].startswith(PLACEHOLDER)
    assert answer["outcome"]["offlinePlaceholders"] == ["aws:ec2/getVpc:getVpc"]


def test_an_unanswered_lookup_names_the_resource_and_argument_that_took_its_answer(tmp_path):
    answer = _plan(_program(tmp_path, "p", """
vpc = aws.ec2.get_vpc(tags={"Name": "main"})
aws.ec2.Subnet("private", vpc_id=vpc.id, cidr_block="10.0.1.0/24", opts=opts)
"""))
    assert _by_name(answer)["private"]["inputs"]["vpcId"] == "[unanswered lookup aws:ec2/getVpc:getVpc]"
    assert answer["outcome"]["unansweredInvokes"] == [{
        "token": "aws:ec2/getVpc:getVpc", "args": ["tags"],
        "usedBy": [{"resource": "urn:pulumi:prod::p::aws:ec2/subnet:Subnet::private", "argument": "vpcId"}]}]


def test_a_program_that_fails_on_an_unanswered_lookup_is_told_which_lookup(tmp_path):
    program = _program(tmp_path, "p", """
vpc = aws.ec2.get_vpc(tags={"Name": "main"})
aws.ec2.Subnet("private", vpc_id=vpc.id, cidr_block="10.0.1.0/24", tags={"vpc": vpc.tags["Name"]}, opts=opts)
""")
    with pytest.raises(PlanError) as error:
        _plan(program)
    assert error.value.exit_code == EXIT_BAD_INPUT
    assert "aws:ec2/getVpc:getVpc" in error.value.message and "__main__.py:7" in error.value.message


def test_a_stack_transform_moves_a_later_bucket_and_the_plan_shows_it(tmp_path):
    answer = _plan(_program(tmp_path, "p", """
def rename(args):
    if args.type_ == "aws:s3/bucket:Bucket":
        args.props["bucket"] = "exfil-copy"
        return pulumi.ResourceTransformResult(args.props, args.opts)
    return None
aws.s3.Bucket("before", bucket="patient-data", opts=opts)
pulumi.runtime.register_resource_transform(rename)
aws.s3.Bucket("after", bucket="patient-data-2", opts=opts)
"""))
    resources = _by_name(answer)
    assert resources["before"]["inputs"]["bucket"] == "patient-data"
    assert resources["after"]["inputs"]["bucket"] == "exfil-copy"
    assert answer["outcome"]["unappliedTransforms"] == []


def test_a_resources_own_transform_and_its_parents_apply_to_it(tmp_path):
    answer = _plan(_program(tmp_path, "p", """
def tag(args):
    args.props["tags"] = {**(args.props.get("tags") or {}), "seen": args.name}
    return pulumi.ResourceTransformResult(args.props, args.opts)
class Lake(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("acme:lake:Lake", name, None, opts)
        aws.s3.Bucket(f"{name}-raw", opts=pulumi.ResourceOptions(parent=self, provider=provider))
Lake("lake", opts=pulumi.ResourceOptions(transforms=[tag]))
aws.s3.Bucket("own", opts=pulumi.ResourceOptions(provider=provider, transforms=[tag]))
"""))
    resources = _by_name(answer)
    assert resources["lake-raw"]["inputs"]["tags"] == {"seen": "lake-raw"}
    assert resources["own"]["inputs"]["tags"] == {"seen": "own"}


def test_legacy_transformations_and_output_form_lookups_plan_too(tmp_path):
    answer = _plan(_program(tmp_path, "p", """
def elsewhere(args):
    if args.type_ == "aws:s3/bucket:Bucket":
        return pulumi.ResourceTransformationResult({**args.props, "bucket": "moved"}, args.opts)
pulumi.runtime.register_stack_transformation(elsewhere)
zones = aws.get_availability_zones_output()
aws.s3.Bucket("b", bucket="patient-data", tags={"zone": zones.names[0]}, opts=opts)
"""))
    bucket = _by_name(answer)["b"]["inputs"]
    assert bucket["bucket"] == "moved" and bucket["tags"] == {"zone": "me-central-1a"}


def test_a_transform_that_swaps_the_provider_moves_the_resource_in_the_plan(tmp_path):
    answer = _plan(_program(tmp_path, "p", """
east = aws.Provider("east", region="us-east-1")
def move(args):
    if args.type_ == "aws:s3/bucket:Bucket":
        return pulumi.ResourceTransformResult(args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(provider=east)))
pulumi.runtime.register_resource_transform(move)
aws.s3.Bucket("patient-data", opts=opts)
"""))
    assert _by_name(answer)["patient-data"]["provider"] == "urn:pulumi:prod::p::pulumi:providers:aws::east"
    assert answer["outcome"]["unappliedTransforms"] == []


def test_a_transform_that_changes_an_unmodelled_option_is_recorded_as_not_applied(tmp_path):
    answer = _plan(_program(tmp_path, "p", """
def protect(args):
    return pulumi.ResourceTransformResult(args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(protect=True)))
aws.s3.Bucket("b", opts=pulumi.ResourceOptions(provider=provider, transforms=[protect]))
"""))
    assert len(answer["outcome"]["unappliedTransforms"]) == 1
    assert "protect" in answer["outcome"]["unappliedTransforms"][0]


def test_a_transform_that_raises_is_the_programs_fault_and_says_so(tmp_path):
    program = _program(tmp_path, "p", """
def strict(args):
    raise ValueError("buckets must be named")
aws.s3.Bucket("b", opts=pulumi.ResourceOptions(provider=provider, transforms=[strict]))
""")
    with pytest.raises(PlanError) as error:
        _plan(program)
    assert error.value.exit_code == EXIT_BAD_INPUT
    assert "transform" in error.value.message and "buckets must be named" in error.value.message


def test_what_a_program_prints_does_not_spoil_the_answer(tmp_path):
    answer = _plan(_program(tmp_path, "p", 'print("{not json")\naws.s3.Bucket("b", opts=opts)\n'))
    assert "b" in _by_name(answer)


def test_a_fault_inside_the_planner_is_qantaras_not_the_programs(tmp_path):
    def fault():
        raise RuntimeError("Task got Future attached to a different loop")
    try:
        fault()
    except RuntimeError as error:
        code, message = child._failure(error, tmp_path)
    assert code == EXIT_ENGINE_FAULT and "fault of Qantara" in message


def test_a_planner_process_that_dies_without_an_answer_is_an_engine_fault(tmp_path, monkeypatch):
    program = _program(tmp_path, "p", 'import os\nos._exit(9)\n')
    with pytest.raises(PlannerFault) as error:
        _plan(program)
    assert error.value.exit_code == EXIT_ENGINE_FAULT
