"""Someone points the baseline step at the platform's disaster-recovery artifacts bucket in
Bahrain, "so the baseline survives a regional outage": the training data's statistics leave
the UAE."""

from redteam_sagemaker import definition, pipeline_role, project_pipeline, step

role = pipeline_role()
steps = definition()
[output] = step(steps, "Baseline")["Arguments"]["ProcessingOutputConfig"]["Outputs"]
output["S3Output"]["S3Uri"] = "s3://dubai-care-ml-prod-artifacts-me-south-1/drift-monitoring/readmission-risk/baseline"
project_pipeline(steps)
