"""The track step is pointed at the curated training data "to log the data's row count": a job
with a network reads the restricted data lake directly."""

from redteam_sagemaker import PLACE, project_pipeline, step, tracked_definition, tracked_roles

tracked_roles()
steps = tracked_definition()
step(steps, "Track")["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] = (
    f"s3://{PLACE.data_bucket}/{PLACE.model_package_group}/training/")
project_pipeline(steps)
