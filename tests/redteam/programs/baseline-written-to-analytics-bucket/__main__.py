"""The analytics team wants the feature statistics for its dashboards, so the baseline step
writes them to its exports bucket: statistics.json describes the patients' training data and
leaves the platform's buckets."""

from redteam_sagemaker import definition, pipeline_role, project_pipeline, step

role = pipeline_role()
steps = definition()
[output] = step(steps, "Baseline")["Arguments"]["ProcessingOutputConfig"]["Outputs"]
output["S3Output"]["S3Uri"] = "s3://dubai-care-analytics-exports/model-baselines/readmission-risk"
project_pipeline(steps)
