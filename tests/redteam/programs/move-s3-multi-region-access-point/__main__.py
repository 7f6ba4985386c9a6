"""One global endpoint for the imaging archive: a Multi-Region Access Point over the UAE bucket
and a Frankfurt bucket, so requests (and data) are routed to either."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts
from redteam_movement import foreign_bucket

uae = compliant_bucket("imaging")
frankfurt = foreign_bucket("imaging-eu", "eu-central-1")
aws.s3control.MultiRegionAccessPoint(
    "imaging-global",
    details={
        "name": "imaging-global",
        "regions": [{"bucket": uae.bucket}, {"bucket": frankfurt.bucket}],
        "public_access_block": {"block_public_acls": True, "block_public_policy": True,
                                "ignore_public_acls": True, "restrict_public_buckets": True},
    },
    opts=opts,
)
