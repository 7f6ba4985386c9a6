"""What the location programs (`loc-*`) share: the compliant restricted bucket of
`redteam_base`, built through whichever provider (or with whichever region) the program
chooses, and stand-ins for the classes of provider packages this checkout does not install.

A stand-in registers exactly what the package's generated class registers (its type token and
properties), which is all a plan sees of it: `pulumi_aws_native.s3.Bucket` is a
`pulumi.CustomResource` of type `aws-native:s3:Bucket`, `pulumi_gcp.storage.Bucket` one of
type `gcp:storage/bucket:Bucket`.
"""

import pulumi
import pulumi_aws as aws
from redteam_base import compliant_bucket


def restricted_bucket(name: str, opts: pulumi.ResourceOptions | None, **bucket_args) -> aws.s3.Bucket:
    """The compliant restricted bucket, made through `opts`' provider with `bucket_args`."""
    return compliant_bucket(name, opts=opts, **bucket_args)


class NativeS3Bucket(pulumi.CustomResource):
    """Stand-in for `pulumi_aws_native.s3.Bucket`."""

    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aws-native:s3:Bucket", name, props, opts)


class GcsBucket(pulumi.CustomResource):
    """Stand-in for `pulumi_gcp.storage.Bucket`."""

    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None):
        super().__init__("gcp:storage/bucket:Bucket", name, props, opts)
