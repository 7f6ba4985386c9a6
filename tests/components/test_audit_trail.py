import json

import pulumi
import pulumi_aws as aws
import pytest

from qantara.components.audit_trail import AuditTrail, AuditTrailArgs
from qantara.components.identity import StackIdentity
from qantara.naming import bucket_name

REGION = "me-central-1"
ACCOUNT = "111122223333"
DATA_BUCKETS = ["arn:aws:s3:::dubai-care-ml-prod-raw-me-central-1", "arn:aws:s3:::dubai-care-ml-prod-curated-me-central-1"]
LOG_BUCKET = bucket_name("dubai-care-ml", "prod", "audit-trail", REGION)
TRAIL_NAME = "dubai-care-ml-prod-audit"
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{TRAIL_NAME}"
EVENTS_GROUP = "/qantara/dubai-care-ml/prod/audit/cloudtrail"


def _audit(include_global=False):
    provider = aws.Provider("aws-me-central-1", region=REGION)
    key = aws.kms.Key("key", enable_key_rotation=True, opts=pulumi.ResourceOptions(provider=provider))
    AuditTrail(
        "audit",
        AuditTrailArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region=REGION, account_id=ACCOUNT),
            kms_key_arn=key.arn,
            data_bucket_arns=DATA_BUCKETS,
            retention_days=2555,
            log_group_retention_days=400,
            include_global_service_events=include_global,
            tags={"data-classification": "restricted"},
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )


@pytest.fixture
def audit(build):
    return build(_audit)


def _trail(resources):
    return resources[("aws:cloudtrail/trail:Trail", "audit-trail")]


def test_trail_is_single_region_with_log_file_validation_and_the_platform_key(audit):
    trail = _trail(audit)
    inputs = trail["inputs"]
    assert inputs["isMultiRegionTrail"] is False
    assert inputs["enableLogFileValidation"] is True
    assert inputs["name"] == TRAIL_NAME
    assert inputs["s3BucketName"] == LOG_BUCKET
    assert audit[("aws:kms/key:Key", "key")]["urn"] in trail["propertyDependencies"]["kmsKeyId"]


def test_global_service_events_follow_the_argument(build):
    assert _trail(build(_audit))["inputs"]["includeGlobalServiceEvents"] is False
    assert _trail(build(lambda: _audit(include_global=True)))["inputs"]["includeGlobalServiceEvents"] is True


def test_trail_logs_s3_data_events_for_the_given_data_buckets(audit):
    selectors = _trail(audit)["inputs"]["advancedEventSelectors"]
    data = [s for s in selectors if {"field": "eventCategory", "equals": ["Data"]} in s["fieldSelectors"]]
    (selector,) = data
    fields = {f["field"]: f for f in selector["fieldSelectors"]}
    assert fields["resources.type"]["equals"] == ["AWS::S3::Object"]
    assert sorted(fields["resources.ARN"]["startsWiths"]) == sorted(f"{arn}/" for arn in DATA_BUCKETS)
    management = [s for s in selectors if {"field": "eventCategory", "equals": ["Management"]} in s["fieldSelectors"]]
    assert len(management) == 1


def test_log_bucket_is_object_locked_in_compliance_mode_for_the_retention(audit):
    bucket = audit[("aws:s3/bucket:Bucket", "audit-logs")]["inputs"]
    assert bucket["objectLockEnabled"] is True
    assert bucket["bucket"] == LOG_BUCKET
    lock = audit[("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "audit-logs-object-lock")]
    assert lock["inputs"]["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 2555}
    versioning_urn = audit[("aws:s3/bucketVersioning:BucketVersioning", "audit-logs-versioning")]["urn"]
    assert versioning_urn in lock["dependencies"]


def test_log_bucket_is_encrypted_versioned_and_private(audit):
    key_urn = audit[("aws:kms/key:Key", "key")]["urn"]
    sse = audit[("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "audit-logs-encryption")]
    assert sse["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert key_urn in sse["propertyDependencies"]["rules"]
    versioning = audit[("aws:s3/bucketVersioning:BucketVersioning", "audit-logs-versioning")]["inputs"]
    assert versioning["versioningConfiguration"]["status"] == "Enabled"
    block = audit[("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "audit-logs-public-access")]["inputs"]
    assert all(block[s] is True for s in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))


def test_bucket_policy_is_tls_only_and_lets_only_this_trail_write(audit):
    policy = json.loads(audit[("aws:s3/bucketPolicy:BucketPolicy", "audit-logs-policy")]["inputs"]["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    acl, write = by_sid["CloudTrailAclCheck"], by_sid["CloudTrailWrite"]
    for statement in (acl, write):
        assert statement["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert statement["Condition"]["StringEquals"]["aws:SourceArn"] == TRAIL_ARN
    assert acl["Action"] == "s3:GetBucketAcl" and acl["Resource"] == f"arn:aws:s3:::{LOG_BUCKET}"
    assert write["Action"] == "s3:PutObject"
    assert write["Resource"] == f"arn:aws:s3:::{LOG_BUCKET}/AWSLogs/{ACCOUNT}/*"


def test_trail_is_created_after_the_bucket_policy_and_object_lock(audit):
    deps = set(_trail(audit)["dependencies"])
    assert audit[("aws:s3/bucketPolicy:BucketPolicy", "audit-logs-policy")]["urn"] in deps
    assert audit[("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "audit-logs-object-lock")]["urn"] in deps


def test_trail_events_go_to_an_encrypted_log_group_with_retention(audit):
    group = audit[("aws:cloudwatch/logGroup:LogGroup", "audit-events")]
    assert group["inputs"]["name"] == EVENTS_GROUP
    assert group["inputs"]["retentionInDays"] == 400
    assert audit[("aws:kms/key:Key", "key")]["urn"] in group["propertyDependencies"]["kmsKeyId"]
    trail = _trail(audit)
    assert group["urn"] in trail["propertyDependencies"]["cloudWatchLogsGroupArn"]
    role = audit[("aws:iam/role:Role", "audit-events-role")]
    assert role["urn"] in trail["propertyDependencies"]["cloudWatchLogsRoleArn"]


def test_trail_log_role_writes_only_to_its_log_group(audit):
    role = audit[("aws:iam/role:Role", "audit-events-role")]["inputs"]
    (trust,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceArn": TRAIL_ARN}
    policy = json.loads(audit[("aws:iam/rolePolicy:RolePolicy", "audit-events-write")]["inputs"]["policy"])
    group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{EVENTS_GROUP}"
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert "*" not in actions and "*" not in resources
        assert all(r.startswith(group_arn) for r in resources)


def test_every_child_uses_the_placed_regions_provider(audit):
    provider_urn = audit[("pulumi:providers:aws", "aws-me-central-1")]["urn"]
    children = [r for r in audit.values() if r["type"].startswith("aws:") and r["name"].startswith("audit-")]
    assert len(children) >= 10 and all(r["provider"] == provider_urn for r in children)
