"""QA-RES-080 knows the platform's buckets by the names the components give them: one home for
the naming (qantara.naming.bucket_name), which the checkpoint hands the policy as
input.resolved.dataLakeBuckets. A pipeline MlPipeline's definition builder writes, for a
blueprint whose `<blueprint>-<environment>-` is too long to survive in a bucket name, must pass;
the same pipeline pointed at any other bucket must not."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
import yaml

from qantara.blueprint.models import Blueprint
from qantara.components.identity import StackIdentity
from qantara.components.ml_pipeline_definition import PipelinePlace, pipeline_definition
from qantara.naming import DATA_LAKE_ZONES, S3_BUCKET_MAX, bucket_name, data_lake_bucket_names
from qantara.paths import project_root
from qantara.policy.evaluate import evaluate, policy_input
from qantara.policy.library import policy_packages
from qantara.resolution import blueprint_facts

TODAY = dt.date(2026, 12, 6)
REGION = "me-central-1"
ACCOUNT = "111122223333"
# 54 characters: `<blueprint>-prod-` is 60, so every bucket name is shortened to 54 and a hash.
LONG = "dubai-care-population-health-readmission-risk-platform"
PACKAGE = "qantara.resources.ml_pipeline"


def blueprint(name: str) -> Blueprint:
    data = yaml.safe_load((project_root() / "blueprints" / "ae-health-cloud.yaml").read_text(encoding="utf-8"))
    data["metadata"]["name"] = name
    return Blueprint.model_validate(data, by_alias=True, by_name=False)


def place(identity: StackIdentity) -> PipelinePlace:
    role = f"arn:aws:iam::{ACCOUNT}:role/pipeline"
    return PipelinePlace(
        project="readmission-risk", package="readmission_risk", region=REGION, partition="aws", account_id=ACCOUNT,
        image_uri=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/models:readmission-risk-0.1.0", role_arn=role,
        kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        subnet_ids=("subnet-0a1b2c3d4e5f60001",), security_group_ids=("sg-0a1b2c3d4e5f60001",),
        data_bucket=identity.bucket_name("curated"), artifacts_bucket=identity.bucket_name("artifacts"),
        model_package_group="readmission-risk", data_classification="restricted",
        monitoring_bucket=identity.bucket_name("artifacts"), model_name="readmission-risk")


def bucket_findings(model: Blueprint, pipeline: PipelinePlace, environment: str = "prod") -> list[str]:
    resource = {
        "urn": "urn:pulumi:prod::infra::aws:sagemaker/pipeline:Pipeline::pipeline", "type": "aws:sagemaker/pipeline:Pipeline",
        "name": "pipeline", "parent": "", "provider": "", "custom": True, "dependencies": [], "propertyDependencies": {},
        "dataClassification": "restricted", "location": {"kind": "cloud", "cloud": "aws", "region": REGION, "country": "AE"},
        "inputs": {"pipelineName": "p", "roleArn": pipeline.role_arn, "pipelineDefinition": json.dumps(pipeline_definition(pipeline))},
    }
    document = policy_input(blueprint=model.model_dump(mode="json", by_alias=True), plan={"resources": [resource]},
                            environment={"name": environment, "enforcement": "mandatory"}, today=TODAY,
                            resolved=blueprint_facts(model, environment))
    found = evaluate(document, ("resources",), packages=tuple(p for p in policy_packages() if p.package == PACKAGE))
    return [f["message"] for f in found if f["policy"] == "QA-RES-080"]


def test_the_long_blueprint_is_long_enough_that_its_names_lose_the_prefix():
    name = bucket_name(LONG, "prod", "curated", REGION)
    assert len(name) == S3_BUCKET_MAX and not name.startswith(f"{LONG}-prod-")


def test_a_long_blueprints_pipeline_on_its_own_buckets_passes():
    assert bucket_findings(blueprint(LONG), place(StackIdentity(LONG, "prod", REGION, ACCOUNT))) == []


@pytest.mark.parametrize("identity", [
    StackIdentity(LONG, "staging", REGION, ACCOUNT),           # another environment
    StackIdentity(LONG[:-2] + "-2", "prod", REGION, ACCOUNT),  # another long blueprint, same length
    StackIdentity("ae-health", "prod", REGION, ACCOUNT),       # another, short blueprint
    StackIdentity(LONG, "prod", "me-south-1", ACCOUNT),         # its own bucket of another region
], ids=["other-environment", "other-long-blueprint", "other-short-blueprint", "other-region"])
def test_a_long_blueprints_pipeline_on_any_other_bucket_fails(identity):
    found = bucket_findings(blueprint(LONG), place(identity))
    assert found and all("reads or writes bucket" in m for m in found), found


@pytest.mark.parametrize("change", [
    lambda name: name + "-x",          # starts like the platform's, goes on
    lambda name: name[:-1],            # one character short
    lambda name: name.upper(),         # other case
    lambda name: name[:-8] + "0badc0de",  # the same 54 characters, a hash of no purpose
], ids=["suffix", "truncated", "case", "forged-hash"])
def test_a_look_alike_of_a_long_blueprints_bucket_fails(change):
    own = place(StackIdentity(LONG, "prod", REGION, ACCOUNT))
    forged = dataclasses.replace(own, data_bucket=change(own.data_bucket))
    assert len(bucket_findings(blueprint(LONG), forged)) == 1


def test_the_checked_environment_names_the_buckets_not_the_blueprints_first():
    model = blueprint(LONG)
    assert bucket_findings(model, place(StackIdentity(LONG, "dev", REGION, ACCOUNT)), environment="dev") == []
    assert bucket_findings(model, place(StackIdentity(LONG, "dev", REGION, ACCOUNT)), environment="prod")


def test_an_environment_the_blueprint_does_not_declare_names_no_bucket():
    assert blueprint_facts(blueprint(LONG), "qa")["dataLakeBuckets"] == {}
    assert blueprint_facts(blueprint(LONG), None)["dataLakeBuckets"] == {}


def test_the_names_are_the_components_own_for_every_zone_and_region():
    names = data_lake_bucket_names(LONG, "prod", [REGION, "me-south-1"])
    identity = StackIdentity(LONG, "prod", REGION, ACCOUNT)
    assert {identity.bucket_name(z): {"region": REGION, "zone": z} for z in DATA_LAKE_ZONES}.items() <= names.items()
    assert len(names) == 2 * len(DATA_LAKE_ZONES)
