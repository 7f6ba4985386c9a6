"""The baseline step's image URI was copied from the EU team's notebook: Model Monitor's
analyzer of eu-central-1, not of the UAE, so the job reading the training data runs code pulled
from Frankfurt."""

from redteam_sagemaker import definition, pipeline_role, project_pipeline, step

role = pipeline_role()
steps = definition()
step(steps, "Baseline")["Arguments"]["AppSpecification"]["ImageUri"] = (
    "048819808253.dkr.ecr.eu-central-1.amazonaws.com/sagemaker-model-monitor-analyzer")
project_pipeline(steps)
