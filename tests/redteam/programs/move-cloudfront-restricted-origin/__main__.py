"""CloudFront in front of the patient-report bucket "for faster downloads": edge caches keep
copies in many countries."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts

reports = compliant_bucket("patient-reports")
oac = aws.cloudfront.OriginAccessControl("reports-oac", origin_access_control_origin_type="s3",
                                         signing_behavior="always", signing_protocol="sigv4", opts=opts)
aws.cloudfront.Distribution(
    "reports-cdn",
    enabled=True,
    origins=[{"domain_name": reports.bucket_regional_domain_name, "origin_id": "reports",
              "origin_access_control_id": oac.id}],
    default_cache_behavior={
        "target_origin_id": "reports",
        "viewer_protocol_policy": "https-only",
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
    restrictions={"geo_restriction": {"restriction_type": "whitelist", "locations": ["AE"]}},
    viewer_certificate={"cloudfront_default_certificate": True},
    opts=opts,
)
