"""A policy input that breaks every policy of the library at least once, for engine comparisons."""

from __future__ import annotations

import datetime as dt

from qantara.blueprint.loader import load_blueprint
from qantara.paths import project_root
from qantara.plan.document import plan_document, plan_resource
from qantara.policy.checkpoint import resolved_input
from qantara.policy.evaluate import policy_input

TODAY = dt.date(2026, 11, 23)
PREFIX = "urn:pulumi:prod::qantara::"


def _resource(type_: str, name: str, inputs: dict, location: dict, **links) -> dict:
    resource = plan_resource(urn=f"{PREFIX}{type_}::{name}", type_=type_, name=name, inputs=inputs, **links)
    resource["location"] = location
    resource["dataClassification"] = "restricted"
    return resource


def violating_input() -> dict:
    """AE health blueprint whose prod names no approvers, and a plan with a public,
    unencrypted bucket in us-east-1, a multi-Region key and a bucket policy open to all."""
    loaded = load_blueprint(project_root() / "blueprints" / "ae-health-cloud.yaml")
    blueprint = loaded.model.model_dump(mode="json", by_alias=True)
    for environment in blueprint["spec"]["environments"]:
        if environment["name"] == "prod":
            environment["approvers"] = []
    us = {"kind": "cloud", "cloud": "aws", "region": "us-east-1", "country": "US"}
    uae = {"kind": "cloud", "cloud": "aws", "region": "me-central-1", "country": "AE"}
    bucket = _resource("aws:s3/bucket:Bucket", "raw", {"bucket": "dubai-care-raw", "acl": "public-read"}, us)
    resources = [
        bucket,
        _resource("aws:kms/key:Key", "platform-key", {"multiRegion": True, "description": "platform"}, uae),
        _resource("aws:s3/bucketPolicy:BucketPolicy", "raw-policy", {
            "bucket": "[unknown]",
            "policy": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", '
                      '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::dubai-care-raw/*"}]}',
        }, uae, property_dependencies={"bucket": [bucket["urn"]]}, dependencies=[bucket["urn"]]),
    ]
    plan = plan_document(resources, {"kind": "test"})
    return policy_input(blueprint=blueprint, plan=plan, environment={"name": "prod", "enforcement": "mandatory"},
                        today=TODAY, resolved=resolved_input(loaded, "prod"))
