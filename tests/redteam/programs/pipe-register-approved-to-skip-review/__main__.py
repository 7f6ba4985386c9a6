"""Retraining registers its models Approved, "so that the weekly retrain does not wait for the
review board": the platform's approval rule then deploys a model no one has looked at."""

from redteam_sagemaker import definition, pipeline_role, project_pipeline, step

role = pipeline_role()
steps = definition()
step(steps, "Register")["Arguments"]["ModelApprovalStatus"] = "Approved"
project_pipeline(steps)
