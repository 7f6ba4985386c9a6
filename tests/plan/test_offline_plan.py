import os
from pathlib import Path

import pytest

from qantara.blueprint.loader import load_blueprint
from qantara.catalog import load_catalog
from qantara.plan.builder import plan_blueprint
from qantara.plan.child import plan_program
from qantara.plan.document import SECRET, UNKNOWN
from qantara.plan.location import locate_resources

ROOT = Path(__file__).resolve().parents[2]


def run_program(program: Path, **kwargs) -> list[dict]:
    """The program's resources, planned as `qantara check --program` plans it (a child process)."""
    return plan_program(program, **kwargs)["resources"]


@pytest.fixture(scope="module")
def ae_prod_plan():
    loaded = load_blueprint(ROOT / "blueprints" / "ae-health-cloud.yaml")
    return plan_blueprint(loaded, "prod")


def _program(tmp_path, body: str) -> Path:
    program = tmp_path / "program"
    program.mkdir()
    (program / "__main__.py").write_text("import pulumi\nimport pulumi_aws as aws\n" + body)
    return program


def test_platform_plan_is_a_plan_document(ae_prod_plan):
    assert ae_prod_plan["apiVersion"] == "qantara.dev/v1"
    assert ae_prod_plan["kind"] == "Plan"
    for resource in ae_prod_plan["resources"]:
        assert {"urn", "type", "name", "parent", "provider", "inputs", "location"} <= set(resource)


def test_every_platform_aws_resource_is_in_the_placed_region(ae_prod_plan):
    cloud = [r for r in ae_prod_plan["resources"] if r["location"]["kind"] == "cloud"]
    assert cloud
    assert {(r["location"]["region"], r["location"]["country"]) for r in cloud} == {("me-central-1", "AE")}


def test_every_platform_aws_resource_goes_through_an_explicit_provider(ae_prod_plan):
    providers = {r["urn"] for r in ae_prod_plan["resources"] if r["type"] == "pulumi:providers:aws"}
    aws = [r for r in ae_prod_plan["resources"] if r["type"].startswith("aws:")]
    assert aws and all(r["provider"] in providers for r in aws)


def test_platform_resources_carry_their_components_data_class(ae_prod_plan):
    lake = [r for r in ae_prod_plan["resources"] if r["name"].startswith("data-lake-")]
    assert lake and {r["dataClassification"] for r in lake} == {"restricted"}


def test_urns_follow_the_engines_form(ae_prod_plan):
    provider = next(r for r in ae_prod_plan["resources"] if r["type"] == "pulumi:providers:aws")
    assert provider["urn"] == "urn:pulumi:prod::qantara::pulumi:providers:aws::aws-me-central-1"
    bucket = next(r for r in ae_prod_plan["resources"] if r["name"] == "data-lake-raw")
    assert bucket["urn"] == "urn:pulumi:prod::qantara::qantara:data_lake:DataLake$aws:s3/bucket:Bucket::data-lake-raw"


def test_values_a_preview_cannot_know_are_marked_unknown(ae_prod_plan):
    sse = next(r for r in ae_prod_plan["resources"] if r["name"] == "data-lake-raw-encryption")
    key_id = sse["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
    assert key_id == UNKNOWN


def test_secrets_never_appear_in_a_plan(tmp_path):
    program = _program(tmp_path, 'aws.secretsmanager.SecretVersion("s", secret_id="x", secret_string=pulumi.Output.secret("hunter2"))\n')
    resources = run_program(program, project="p", stack="dev", config={"aws:region": "me-central-1"})
    secret = next(r for r in resources if r["name"] == "s")
    assert secret["inputs"]["secretString"] == SECRET
    assert "hunter2" not in repr(resources)


def test_region_comes_from_the_resource_then_its_provider_then_the_stack(tmp_path):
    program = _program(tmp_path, """
east = aws.Provider("east", region="us-east-1")
aws.s3.Bucket("own", region="eu-west-1", opts=pulumi.ResourceOptions(provider=east))
aws.s3.Bucket("via-provider", opts=pulumi.ResourceOptions(provider=east))
aws.s3.Bucket("stack-default")
aws.iam.Role("global", assume_role_policy="{}")
""")
    resources = run_program(program, project="p", stack="dev", config={"aws:region": "me-central-1"})
    locate_resources(resources, stack_region="me-central-1", catalog=load_catalog())
    where = {r["name"]: r["location"] for r in resources}
    assert where["own"]["region"] == "eu-west-1"
    assert where["via-provider"]["region"] == "us-east-1"
    assert where["stack-default"] == {"kind": "cloud", "cloud": "aws", "region": "me-central-1", "country": "AE"}
    assert where["global"] == {"kind": "global", "cloud": "aws"}


def test_a_provider_without_a_region_leaves_its_resources_unknown_whatever_the_stack_region(tmp_path, monkeypatch):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    program = _program(tmp_path, 'p = aws.Provider("p")\naws.s3.Bucket("b", opts=pulumi.ResourceOptions(provider=p))\n')
    resources = run_program(program, project="p", stack="dev", config={"aws:region": "me-central-1"})
    locate_resources(resources, stack_region="me-central-1", catalog=load_catalog())
    bucket = next(r for r in resources if r["name"] == "b")
    assert bucket["location"]["kind"] == "unknown"
    assert "provider region comes from the environment" in bucket["location"]["reason"]


def test_a_failing_program_is_reported_with_its_location(tmp_path):
    from qantara.errors import PlanError

    program = _program(tmp_path, "raise ValueError('boom')\n")
    with pytest.raises(PlanError) as error:
        run_program(program, project="p", stack="dev", config={})
    assert "ValueError: boom" in error.value.message and "__main__.py" in error.value.message


def test_programs_can_be_planned_one_after_another_in_one_process(tmp_path):
    program = _program(tmp_path, 'aws.s3.Bucket("b")\n')
    first = run_program(program, project="p", stack="dev", config={"aws:region": "me-central-1"})
    second = run_program(program, project="p", stack="dev", config={"aws:region": "me-central-1"})
    assert [r["urn"] for r in first] == [r["urn"] for r in second]


def test_the_check_runners_aws_region_never_becomes_a_providers_region(tmp_path, monkeypatch):
    # pulumi-aws's SDK copies AWS_REGION into a provider without a region; CI's is not the deployer's.
    monkeypatch.setenv("AWS_REGION", "me-central-1")
    program = _program(tmp_path, 'p = aws.Provider("ci")\naws.s3.Bucket("b", opts=pulumi.ResourceOptions(provider=p))\n')
    loaded = load_blueprint(ROOT / "blueprints" / "ae-health-cloud.yaml")
    plan = plan_blueprint(loaded, "prod", program_dir=program)
    provider = next(r for r in plan["resources"] if r["name"] == "ci")
    bucket = next(r for r in plan["resources"] if r["name"] == "b")
    assert "region" not in provider["inputs"]
    assert bucket["location"]["kind"] == "unknown" and "AWS_REGION=me-central-1" in bucket["location"]["reason"]
    assert os.environ["AWS_REGION"] == "me-central-1"
