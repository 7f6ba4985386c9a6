"""A synthetic ML platform of N resources, written as a Qantara plan and as a Terraform plan.

`platform(n)` describes each resource once: its Pulumi type, logical name, inputs in
pulumi-aws's shape and the values it takes from other resources (`Ref`). Two writers turn
that one list into the two documents the tools read:

- `qantara_plan`: the Plan document of DESIGN §4.3, built with the same functions the
  offline planner uses (`plan_resource`, `locate_resources`, `classify_resources`).
- `terraform_plan`: `terraform show -json` output (format 1.2) for a flat configuration,
  one resource block per resource: `planned_values`, `resource_changes` and the
  `configuration` whose `references` checkov follows to connect, say, a bucket to its
  public access block.

The platform repeats one workload of 18 resources (a KMS key and alias, two buckets each
with encryption, versioning, public access block and policy, a security group, a SageMaker
execution role and its policy, a log group, a SageMaker endpoint configuration and
endpoint) and cuts the last one short at N. A seeded draw gives a few workloads one
deliberate violation each (`VIOLATIONS`), so both tools have something to find.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

SEED = 20261123
STACK, PROJECT = "bench", "synthetic"
HOME_REGION = "me-central-1"  # where blueprints/ae-health-cloud.yaml keeps restricted data
AWAY_REGION = "eu-west-1"  # outside the UAE: the residency violation
VIOLATION_RATE = 0.05  # share of workloads with one deliberate violation
ACCOUNT = "000000000000"

# Pulumi type token -> Terraform resource type (pulumi-aws is generated from the Terraform provider).
TERRAFORM_TYPES = {
    "aws:kms/key:Key": "aws_kms_key",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "aws_sagemaker_endpoint_configuration",
    "aws:sagemaker/endpoint:Endpoint": "aws_sagemaker_endpoint",
}

# Where pulumi-aws names an argument differently from the Terraform provider.
TERRAFORM_RENAMES = {"aws_s3_bucket_server_side_encryption_configuration": {"rules": "rule"}}

# Types whose arguments include `tags` (Terraform then also plans `tags_all`).
TAGGED = {"aws_kms_key", "aws_s3_bucket", "aws_security_group", "aws_iam_role", "aws_cloudwatch_log_group",
          "aws_sagemaker_endpoint_configuration", "aws_sagemaker_endpoint"}
# Types with an `arn` attribute, known only after apply like every `id`.
WITH_ARN = TAGGED | {"aws_kms_alias"}

# Each violation, and the rules on either side that should catch it.
VIOLATIONS = {
    "bucket-sse-s3": "raw bucket encrypted with SSE-S3 (QA-RES-003; CKV_AWS_145)",
    "public-access-block-off": "raw bucket's block_public_policy false (QA-RES-004; CKV_AWS_54)",
    "public-bucket-policy": "models bucket policy allows s3:GetObject to Principal * (QA-RES-005; CKV_AWS_70)",
    "versioning-suspended": "raw bucket versioning Suspended (CKV_AWS_21)",
    "key-rotation-off": "KMS key without rotation (CKV_AWS_7)",
    "ssh-open": "security group opens port 22 to 0.0.0.0/0 (CKV_AWS_24)",
    "iam-wildcard": "role policy allows * on * (CKV_AWS_62, CKV_AWS_63, CKV_AWS_355)",
    "log-retention-unset": "log group without retention (CKV_AWS_66, CKV_AWS_338)",
    "endpoint-unencrypted": "endpoint configuration without a KMS key (CKV_AWS_98)",
    "outside-jurisdiction": f"whole workload in {AWAY_REGION} (QA-RES-001)",
}


@dataclass(frozen=True)
class Ref:
    """A value read from another resource.

    `value` is what a plan already knows (a bucket's name, set in the program); None means
    the value exists only after apply (an ARN, a key id): Qantara's plan shows it as
    `[unknown]`, Terraform's leaves it out and marks it in `after_unknown`.
    """

    target: str
    attribute: str
    value: str | None = None


@dataclass
class Resource:
    pulumi_type: str
    name: str
    inputs: dict[str, Any]
    violation: str | None = None

    @property
    def terraform_type(self) -> str:
        return TERRAFORM_TYPES[self.pulumi_type]

    @property
    def terraform_name(self) -> str:
        return self.name.replace("-", "_")

    @property
    def address(self) -> str:
        return f"{self.terraform_type}.{self.terraform_name}"


@dataclass
class Platform:
    resources: list[Resource] = field(default_factory=list)

    def violations(self) -> list[tuple[str, str]]:
        return [(r.violation, r.name) for r in self.resources if r.violation]


def _statement_document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _tags(workload: str) -> dict[str, str]:
    # The four tags Qantara requires (policies/data/required_tags.yaml), as its platform
    # program sets them, and two of the organisation's own.
    return {"environment": "prod", "owner": "ml-platform@example.ae", "qantara-blueprint": "synthetic",
            "data-classification": "restricted", "workload": workload, "cost-centre": "cc-4410"}


def _bucket(prefix: str, role: str, key: str, region: str, tags: dict, violation: str | None) -> list[Resource]:
    """A bucket with the four resources that make it safe; `violation` breaks one of them."""
    name, physical = f"{prefix}-{role}", f"{prefix}-{role}-{region}"
    bucket = Ref(name, "bucket", physical)
    sse_default = ({"sseAlgorithm": "AES256"} if violation == "bucket-sse-s3"
                   else {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": Ref(key, "arn")})
    statements = [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{physical}", f"arn:aws:s3:::{physical}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]
    if violation == "public-bucket-policy":
        statements.append({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{physical}/*"})
    mark = {kind: violation if violation == kind else None for kind in
            ("bucket-sse-s3", "versioning-suspended", "public-access-block-off", "public-bucket-policy")}
    return [
        Resource("aws:s3/bucket:Bucket", name, {"bucket": physical, "forceDestroy": False, "region": region, "tags": tags}),
        Resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", f"{name}-encryption",
                 {"bucket": bucket, "region": region,
                  "rules": [{"applyServerSideEncryptionByDefault": sse_default, "bucketKeyEnabled": True}]},
                 mark["bucket-sse-s3"]),
        Resource("aws:s3/bucketVersioning:BucketVersioning", f"{name}-versioning",
                 {"bucket": bucket, "region": region,
                  "versioningConfiguration": {"status": "Suspended" if mark["versioning-suspended"] else "Enabled"}},
                 mark["versioning-suspended"]),
        Resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{name}-public-access",
                 {"bucket": bucket, "region": region, "blockPublicAcls": True,
                  "blockPublicPolicy": not mark["public-access-block-off"], "ignorePublicAcls": True,
                  "restrictPublicBuckets": True},
                 mark["public-access-block-off"]),
        Resource("aws:s3/bucketPolicy:BucketPolicy", f"{name}-policy",
                 {"bucket": bucket, "region": region, "policy": _statement_document(*statements)},
                 mark["public-bucket-policy"]),
    ]


def _workload(index: int, violation: str | None) -> list[Resource]:
    """One ML workload's 18 resources, each referring only to resources listed before it."""
    prefix = f"w{index:05d}"
    region = AWAY_REGION if violation == "outside-jurisdiction" else HOME_REGION
    tags = _tags(prefix)
    key = f"{prefix}-key"

    def only(kind: str) -> str | None:
        return violation if violation == kind else None

    resources = [
        Resource("aws:kms/key:Key", key, {
            "description": f"{prefix} data key", "enableKeyRotation": violation != "key-rotation-off",
            "multiRegion": False, "deletionWindowInDays": 30, "region": region, "tags": tags,
            "policy": _statement_document({"Sid": "AccountAdministersKey", "Effect": "Allow",
                                           "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                           "Action": "kms:*", "Resource": "*"}),
        }, only("key-rotation-off")),
        Resource("aws:kms/alias:Alias", f"{prefix}-key-alias",
                 {"name": f"alias/{prefix}/data", "targetKeyId": Ref(key, "key_id"), "region": region}),
        *_bucket(prefix, "raw", key, region, tags,
                 violation if violation in ("bucket-sse-s3", "versioning-suspended", "public-access-block-off") else None),
        *_bucket(prefix, "models", key, region, tags, only("public-bucket-policy")),
    ]
    ssh_open = violation == "ssh-open"
    ingress = [{"description": "HTTPS from the VPC", "protocol": "tcp", "fromPort": 443, "toPort": 443,
                "cidrBlocks": ["10.0.0.0/16"]}]
    if ssh_open:
        ingress.append({"description": "SSH from anywhere", "protocol": "tcp", "fromPort": 22, "toPort": 22,
                        "cidrBlocks": ["0.0.0.0/0"]})
    role = f"{prefix}-sagemaker-role"
    wildcard = violation == "iam-wildcard"
    permissions = ({"Effect": "Allow", "Action": "*", "Resource": "*"} if wildcard else
                   {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": [f"arn:aws:s3:::{prefix}-{b}-{region}/*" for b in ("raw", "models")]})
    log_group = {"name": f"/aws/sagemaker/Endpoints/{prefix}", "kmsKeyId": Ref(key, "arn"), "region": region, "tags": tags}
    if violation != "log-retention-unset":
        log_group["retentionInDays"] = 731
    endpoint_config = {
        "name": f"{prefix}-serving", "region": region, "tags": tags,
        "productionVariants": [{"variantName": "primary", "modelName": f"{prefix}-model",
                                "initialInstanceCount": 1, "instanceType": "ml.m5.large"}],
    }
    if violation != "endpoint-unencrypted":
        endpoint_config["kmsKeyArn"] = Ref(key, "arn")
    resources += [
        Resource("aws:ec2/securityGroup:SecurityGroup", f"{prefix}-endpoint-sg", {
            "name": f"{prefix}-endpoint", "description": f"{prefix} SageMaker endpoint", "region": region, "tags": tags,
            "ingress": ingress,
            "egress": [{"description": "HTTPS inside the VPC", "protocol": "tcp", "fromPort": 443, "toPort": 443,
                        "cidrBlocks": ["10.0.0.0/16"]}],
        }, only("ssh-open")),
        Resource("aws:iam/role:Role", role, {
            "name": role, "tags": tags,
            "assumeRolePolicy": _statement_document({"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "sagemaker.amazonaws.com"}}),
        }),
        Resource("aws:iam/rolePolicy:RolePolicy", f"{prefix}-sagemaker-data",
                 {"name": f"{prefix}-data", "role": Ref(role, "name", role), "policy": _statement_document(permissions)},
                 only("iam-wildcard")),
        Resource("aws:cloudwatch/logGroup:LogGroup", f"{prefix}-endpoint-logs", log_group, only("log-retention-unset")),
        Resource("aws:sagemaker/endpointConfiguration:EndpointConfiguration", f"{prefix}-serving-config", endpoint_config,
                 only("endpoint-unencrypted")),
        Resource("aws:sagemaker/endpoint:Endpoint", f"{prefix}-serving", {
            "name": f"{prefix}-serving", "region": region, "tags": tags,
            "endpointConfigName": Ref(f"{prefix}-serving-config", "name", f"{prefix}-serving"),
        }),
    ]
    if violation == "outside-jurisdiction":
        for resource in resources:
            resource.violation = resource.violation or ("outside-jurisdiction" if "region" in resource.inputs else None)
    return resources


WORKLOAD_SIZE = len(_workload(0, None))


def platform(n: int, seed: int = SEED) -> Platform:
    """The first `n` resources of a platform of identical workloads, a few with a violation."""
    rng = random.Random(seed)
    kinds = sorted(VIOLATIONS)
    result = Platform()
    index = 0
    while len(result.resources) < n:
        violation = rng.choice(kinds) if rng.random() < VIOLATION_RATE else None
        result.resources += _workload(index, violation)
        index += 1
    del result.resources[n:]
    return result


# --- Qantara: the Plan document -----------------------------------------------------------

def _urn(resource: Resource) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{resource.pulumi_type}::{resource.name}"


def _pulumi_value(value: Any, urns: dict[str, str], found: list[str]) -> Any:
    """`value` as the offline planner records it; the URNs it depends on go to `found`."""
    if isinstance(value, Ref):
        found.append(urns[value.target])
        return value.value if value.value is not None else "[unknown]"
    if isinstance(value, dict):
        return {k: _pulumi_value(v, urns, found) for k, v in value.items()}
    if isinstance(value, list):
        return [_pulumi_value(v, urns, found) for v in value]
    return value


def qantara_plan(platform_: Platform) -> dict:
    """The Plan document `qantara check` evaluates, as the offline planner would write it."""
    # Imported here so that the Terraform writer needs nothing but the standard library.
    from qantara.catalog import load_catalog
    from qantara.plan.classification import classify_resources
    from qantara.plan.document import plan_document, plan_resource
    from qantara.plan.location import locate_resources

    stack_urn = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
    urns = {r.name: _urn(r) for r in platform_.resources}
    resources = []
    for resource in platform_.resources:
        inputs, property_dependencies, dependencies = {}, {}, []
        for key, value in resource.inputs.items():
            found: list[str] = []
            inputs[key] = _pulumi_value(value, urns, found)
            property_dependencies[key] = found
            dependencies += [urn for urn in found if urn not in dependencies]
        resources.append(plan_resource(urn=urns[resource.name], type_=resource.pulumi_type, name=resource.name,
                                       parent=stack_urn, inputs=inputs, dependencies=dependencies,
                                       property_dependencies=property_dependencies))
    catalog = load_catalog()
    locate_resources(resources, stack_region=HOME_REGION, catalog=catalog)
    classify_resources(resources, catalog["jurisdictions"]["classifications"])
    return plan_document(resources, {"kind": "synthetic", "generator": "benchmarks/synthetic.py", "stack": STACK,
                                     "project": PROJECT, "stackRegion": HOME_REGION})


# --- Terraform: `terraform show -json` ------------------------------------------------------

def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _terraform_key(resource: Resource, key: str) -> str:
    return TERRAFORM_RENAMES.get(resource.terraform_type, {}).get(key) or _snake(key)


def _attribute(value: Any, addresses: dict[str, str]) -> tuple[Any, Any, Any, bool]:
    """(planned value, after_unknown, configuration expression, known) of one argument.

    Nested objects are blocks, which Terraform writes as lists; maps (`tags`) stay maps.
    Unknown values are left out of the planned values (inside a list: null).
    """
    if isinstance(value, Ref):
        target = addresses[value.target]
        expression = {"references": [f"{target}.{value.attribute}", target]}
        return value.value, value.value is None, expression, value.value is not None
    if isinstance(value, dict):
        values, unknown, expressions = {}, {}, {}
        for key, item in value.items():
            planned, item_unknown, expression, known = _attribute(item, addresses)
            key = _snake(key)
            if known:
                values[key] = planned
            if item_unknown:
                unknown[key] = item_unknown
            expressions[key] = expression
        return [values], [unknown] if unknown else False, [expressions], True
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        parts = [_attribute(item, addresses) for item in value]
        unknown = [p[1][0] if p[1] else {} for p in parts]
        return ([p[0][0] for p in parts], unknown if any(unknown) else False, [p[2][0] for p in parts], True)
    return value, False, {"constant_value": value}, True


def _terraform_resource(resource: Resource, addresses: dict[str, str]) -> tuple[dict, dict, dict]:
    """The resource's planned values, its after_unknown and its configuration expressions."""
    values, expressions = {}, {}
    unknown = {"id": True, "arn": True} if resource.terraform_type in WITH_ARN else {"id": True}
    for key, value in resource.inputs.items():
        name = _terraform_key(resource, key)
        if name == "tags":
            planned, item_unknown, expression, known = value, False, {"constant_value": value}, True
        else:
            planned, item_unknown, expression, known = _attribute(value, addresses)
        if known:
            values[name] = planned
        if item_unknown:
            unknown[name] = item_unknown
        expressions[name] = expression
    if resource.terraform_type in TAGGED:
        values["tags_all"] = values.get("tags", {})
    return values, unknown, expressions


def terraform_plan(platform_: Platform) -> dict:
    """`terraform show -json` of a plan that creates every resource of the platform."""
    provider = "registry.terraform.io/hashicorp/aws"
    addresses = {r.name: r.address for r in platform_.resources}
    planned, changes, configured = [], [], []
    for resource in platform_.resources:
        values, unknown, expressions = _terraform_resource(resource, addresses)
        head = {"address": resource.address, "mode": "managed", "type": resource.terraform_type,
                "name": resource.terraform_name}
        planned.append({**head, "provider_name": provider, "schema_version": 0, "values": values,
                        "sensitive_values": {}})
        changes.append({**head, "provider_name": provider, "change": {
            "actions": ["create"], "before": None, "after": values, "after_unknown": unknown,
            "before_sensitive": False, "after_sensitive": {},
        }})
        configured.append({**head, "provider_config_key": "aws", "expressions": expressions, "schema_version": 0})
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": provider,
                                        "expressions": {"region": {"constant_value": HOME_REGION}}}},
            "root_module": {"resources": configured},
        },
        "timestamp": "2026-11-23T00:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }
