"""The team mirrors AWS's Model Monitor analyzer into its shared tooling account (same UAE
region, "so builds do not depend on AWS's registry"), and points the pipeline's baseline step at
the mirror: the image that reads the training data is no longer AWS's nor the platform's."""

from redteam_sagemaker import definition, pipeline_role, project_pipeline, step

role = pipeline_role()
steps = definition()
step(steps, "Baseline")["Arguments"]["AppSpecification"]["ImageUri"] = (
    "444455556666.dkr.ecr.me-central-1.amazonaws.com/mirror/sagemaker-model-monitor-analyzer:latest")
project_pipeline(steps)
