"""The project's pipeline as Qantara defines it: seven steps in the platform's image, key,
subnets and buckets in the UAE, registering PendingManualApproval, with its scoped role."""

from redteam_sagemaker import definition, pipeline_role, project_pipeline

role = pipeline_role()
project_pipeline(definition())
