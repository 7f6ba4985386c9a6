"""StateBackend: where Pulumi keeps a platform's state and encrypts its secrets.

One bucket and one key per blueprint, in the platform's placed region: a stack's state
holds every resource's inputs and outputs, and its secrets are only as sovereign as the
key that encrypts them. The platform stacks then log in with
`pulumi login s3://<bucket>?region=<region>&awssdk=v2` and encrypt secrets with
`--secrets-provider awskms://<alias>?region=<region>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pulumi
import pulumi_aws as aws

from qantara.components.base import QantaraComponent
from qantara.components.bucket_controls import harden_bucket
from qantara.components.data_lake import tls_only_policy
from qantara.components.identity import StackIdentity
from qantara.components.sovereign_keys import SovereignKeys, SovereignKeysArgs

TYPE_TOKEN = "qantara:state_backend:StateBackend"
# State is kept for every environment of the blueprint, hence not environment-scoped.
STATE_SCOPE = "state"


@dataclass
class StateBackendArgs:
    # The blueprint's, in its placed region; its environment is STATE_SCOPE whatever is given.
    identity: StackIdentity
    data_classification: str = "restricted"
    # Old state versions are how a broken `pulumi up` is rolled back; keep them this long.
    noncurrent_version_days: int = 90
    tags: dict[str, str] = field(default_factory=dict)


def login_url(bucket: str, region: str) -> str:
    """The `pulumi login` URL of the state bucket (the AWS SDK v2 backend takes the region)."""
    return f"s3://{bucket}?region={region}&awssdk=v2"


def secrets_provider(alias: str, region: str) -> str:
    """The `--secrets-provider` URL of the key (`awskms://alias/...?region=...`)."""
    return f"awskms://{alias}?region={region}"


class StateBackend(QantaraComponent):
    """A hardened, versioned state bucket and a single-Region secrets key."""

    bucket_name: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    login_url: pulumi.Output[str]
    secrets_provider: pulumi.Output[str]

    def __init__(self, name: str, args: StateBackendArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        identity = replace(args.identity, environment=STATE_SCOPE)
        alias = identity.kms_alias("pulumi")
        self.keys = SovereignKeys(
            f"{name}-keys",
            SovereignKeysArgs(
                identity=identity,
                alias=alias,
                description=f"Pulumi state and secrets of {identity.blueprint}",
                data_classification=args.data_classification,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        physical = identity.bucket_name("pulumi")
        # State is never force-destroyed: it is the only record of what exists.
        self.bucket = aws.s3.Bucket(f"{name}-bucket", bucket=physical, force_destroy=False, tags=args.tags,
                                    opts=pulumi.ResourceOptions(parent=self, protect=True))
        controls = harden_bucket(self, f"{name}-bucket", self.bucket, self.keys.key_arn)
        aws.s3.BucketPolicy(
            f"{name}-bucket-tls-only",
            bucket=self.bucket.bucket,
            policy=tls_only_policy(physical, identity.partition),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.bucket, controls.public_access_block]),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-bucket-lifecycle",
            bucket=self.bucket.bucket,
            rules=[{
                "id": "expire-old-state-versions",
                "status": "Enabled",
                "filter": {},
                "noncurrent_version_expiration": {"noncurrent_days": args.noncurrent_version_days},
            }],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[controls.versioning]),
        )
        self.bucket_name = self.bucket.bucket
        self.key_arn = self.keys.key_arn
        self.login_url = pulumi.Output.from_input(login_url(physical, identity.region))
        self.secrets_provider = pulumi.Output.from_input(secrets_provider(alias, identity.region))
        self.register_outputs({"bucketName": self.bucket_name, "keyArn": self.key_arn,
                               "loginUrl": self.login_url, "secretsProvider": self.secrets_provider})
