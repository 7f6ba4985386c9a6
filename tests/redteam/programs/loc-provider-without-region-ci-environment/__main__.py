"""The pipeline's provider sets no region: the deploy job's AWS_REGION (or the runner's
profile) decides where the bucket goes."""

import pulumi
import pulumi_aws as aws
from redteam_base import TAGS
from redteam_location import restricted_bucket

pipeline = aws.Provider("ci-deploy", default_tags={"tags": TAGS})
restricted_bucket("patient-data", pulumi.ResourceOptions(provider=pipeline))
