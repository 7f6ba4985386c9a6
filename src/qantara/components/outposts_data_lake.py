"""OutpostsDataLake: the data lake of an AWS Outposts site, in S3 on Outposts.

The facts it relies on, with their sources, are in policies/data/outposts.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.components.base import QantaraComponent
from qantara.components.iam_documents import policy_document
from qantara.components.identity import StackIdentity
from qantara.components.onprem.site import CONFIG_NAMESPACE, site_buckets, stored
from qantara.naming import DATA_LAKE_ZONES, access_point_name, outposts_bucket_name
from qantara.tagging import component_tags

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:outposts_data_lake:OutpostsDataLake"
# Incomplete multipart uploads hold Outpost capacity, which is finite (50 TB a bucket) and
# shared by every bucket on the rack; a week covers any upload that is still going to finish.
ABORT_INCOMPLETE_UPLOADS_DAYS = 7


@dataclass
class OutpostsDataLakeArgs:
    # In the Outpost's parent region and the account that owns the buckets: with the
    # Outpost (`op-...`) they make the buckets' ARNs, which the bucket policies name.
    identity: StackIdentity
    outpost_id: str
    # The network of the cluster on the Outpost: the endpoint goes in its subnet, behind its
    # security group, and the access points admit requests from its VPC only.
    vpc_id: str
    subnet_id: str
    security_group_id: str
    buckets: list[str] = field(default_factory=lambda: list(DATA_LAKE_ZONES))
    # A VPC on an Outpost has one S3 on Outposts endpoint: the environment that shares a VPC
    # with another one that made it uses it instead of creating a second.
    create_endpoint: bool = True
    data_classification: str = "restricted"
    tags: dict[str, str] = field(default_factory=dict)


def outposts_bucket_arn(partition: str, region: str, account_id: str, outpost_id: str, bucket: str) -> str:
    return f"arn:{partition}:s3-outposts:{region}:{account_id}:outpost/{outpost_id}/bucket/{bucket}"


def outposts_bucket_policy(bucket_arn: str) -> str:
    """TLS only, and objects only through an access point that admits the VPC alone.

    The network-origin denial covers objects, not the bucket: bucket management (this policy
    included) goes through the regional S3 on Outposts API, where no access point is involved,
    and denying it would lock the owner out of the bucket.
    """
    objects = f"{bucket_arn}/object/*"
    return policy_document([
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3-outposts:*",
            "Resource": [bucket_arn, objects],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyObjectAccessFromOutsideTheVpc",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3-outposts:*",
            "Resource": objects,
            "Condition": {"StringNotEquals": {"s3-outposts:AccessPointNetworkOrigin": "VPC"}},
        },
    ])


class OutpostsDataLake(QantaraComponent):
    """One S3 on Outposts bucket per purpose, each with a VPC-only access point, a TLS-only
    policy and a lifecycle rule, and the endpoint that routes the VPC's requests to them.

    Objects are encrypted with SSE-S3, which S3 on Outposts applies by default (it lists SSE-S3
    and SSE-C, not SSE-KMS, so there is no key to pass); Block Public Access is always on for
    Outposts buckets.
    Every child goes through the provider in `opts`, which must be the parent region's.
    """

    bucket_arns: dict[str, pulumi.Output[str]]
    access_point_arns: dict[str, pulumi.Output[str]]
    access_point_aliases: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: OutpostsDataLakeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._name, self._args = name, args
        self.endpoint = self._endpoint() if args.create_endpoint else None
        self.buckets: dict[str, aws.s3control.Bucket] = {}
        self.access_points: dict[str, aws.s3.AccessPoint] = {}
        for purpose in args.buckets:
            self.buckets[purpose], self.access_points[purpose] = self._bucket(purpose)
        self.bucket_arns = {p: b.arn for p, b in self.buckets.items()}
        self.access_point_arns = {p: a.arn for p, a in self.access_points.items()}
        self.access_point_aliases = {p: a.alias for p, a in self.access_points.items()}
        self.register_outputs({
            "bucketArns": self.bucket_arns,
            "accessPointArns": self.access_point_arns,
            "accessPointAliases": self.access_point_aliases,
            "endpointArn": self.endpoint.arn if self.endpoint is not None else None,
        })

    def _endpoint(self) -> aws.s3outposts.Endpoint:
        args = self._args
        # Private: addresses from the VPC subnet, so requests never use the site's customer-owned IPs.
        return aws.s3outposts.Endpoint(
            f"{self._name}-endpoint",
            outpost_id=args.outpost_id,
            subnet_id=args.subnet_id,
            security_group_id=args.security_group_id,
            access_type="Private",
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _bucket(self, purpose: str) -> tuple[aws.s3control.Bucket, aws.s3.AccessPoint]:
        args, logical = self._args, f"{self._name}-{purpose}"
        physical = outposts_bucket_name(args.identity.blueprint, args.identity.environment, purpose)
        bucket = aws.s3control.Bucket(
            logical,
            bucket=physical,
            outpost_id=args.outpost_id,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        after_bucket = pulumi.ResourceOptions(parent=self, depends_on=[bucket])
        identity = args.identity
        arn = outposts_bucket_arn(identity.partition, identity.region, identity.account_id, args.outpost_id, physical)
        aws.s3control.BucketPolicy(
            f"{logical}-policy",
            bucket=bucket.arn,
            policy=outposts_bucket_policy(arn),
            opts=after_bucket,
        )
        aws.s3control.BucketLifecycleConfiguration(
            f"{logical}-lifecycle",
            bucket=bucket.arn,
            rules=[{
                "id": "abort-incomplete-multipart-uploads",
                "status": "Enabled",
                "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_INCOMPLETE_UPLOADS_DAYS},
            }],
            opts=after_bucket,
        )
        access_point = aws.s3.AccessPoint(
            f"{logical}-access-point",
            bucket=bucket.arn,
            name=access_point_name(args.identity.blueprint, args.identity.environment, purpose),
            vpc_configuration={"vpc_id": args.vpc_id},
            tags=args.tags,
            opts=after_bucket,
        )
        return bucket, access_point


OUTPOSTS_ENDPOINT_MODES = ("create", "existing")


def build_outposts_data_lake(scope: PlatformScope, component: ResolvedComponent | None) -> Outputs:
    """The site's object store on an Outpost: S3 on Outposts, through a provider in the parent
    region (where the Outpost's control plane is) with the platform's tags."""
    platform, site = scope.platform, scope.platform.blueprint.spec.on_prem
    mode = scope.config.get("outpostsEndpoint") or "create"
    if mode not in OUTPOSTS_ENDPOINT_MODES:
        raise pulumi.RunError(f"{CONFIG_NAMESPACE}:outpostsEndpoint is {mode!r} (allowed: "
                              f"{', '.join(OUTPOSTS_ENDPOINT_MODES)})")
    provider = aws.Provider(f"aws-outpost-{site.site}", region=site.outpost_region,
                            default_tags={"tags": scope.base_tags})
    account_id = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=provider)).account_id
    network, buckets, data_class = site.outpost_network, site_buckets(platform), platform.strictest_class(stored(platform))
    lake = OutpostsDataLake("outposts-data-lake", OutpostsDataLakeArgs(
        identity=replace(scope.identity, region=site.outpost_region, account_id=account_id,
                         partition=site.outpost_partition),
        outpost_id=site.outpost_id,
        vpc_id=network.vpc_id,
        subnet_id=network.subnet_id,
        security_group_id=network.security_group_id,
        buckets=buckets,
        create_endpoint=mode == "create",
        data_classification=data_class,
        tags=component_tags(scope.base_tags, component="dataLake", data_classification=data_class),
    ), opts=pulumi.ResourceOptions(provider=provider))
    scope.built["outpostsDataLake"] = lake
    # A project reads objects through an access point: its ARN for IAM policies, its alias as a bucket name.
    return {"onPremDataLakeBuckets": lake.bucket_arns, "onPremDataLakeAccessPoints": {
        purpose: {"arn": lake.access_point_arns[purpose], "alias": lake.access_point_aliases[purpose]}
        for purpose in buckets}}
