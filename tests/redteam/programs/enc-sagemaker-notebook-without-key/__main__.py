"""An exploration notebook in a private subnet without internet access, whose ML storage
volume names no key (SageMaker then uses an AWS-managed key)."""

import pulumi_aws as aws
from redteam_encryption import DATA_SECURITY_GROUP, PRIVATE_SUBNETS, opts

aws.sagemaker.NotebookInstance("cohort-exploration", instance_type="ml.t3.medium",
                               role_arn="arn:aws:iam::000000000000:role/dubai-care-ml-prod-notebook",
                               subnet_id=PRIVATE_SUBNETS[0], security_groups=[DATA_SECURITY_GROUP],
                               direct_internet_access="Disabled", root_access="Disabled", volume_size=50,
                               opts=opts)
