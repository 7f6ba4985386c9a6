"""The evaluate step writes its report under a path joined at run time from the platform's
artifacts bucket name and a suffix, on no separator: the definition shows
`s3://dubai-care-ml-prod-artifacts-me-central-1` (the platform's), but the job writes to the
bucket `dubai-care-ml-prod-artifacts-me-central-1-x`, which anyone may own."""

from redteam_sagemaker import PLACE, definition, pipeline_role, project_pipeline, step

role = pipeline_role()
steps = definition()
output = step(steps, "Evaluate")["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]
output["S3Uri"] = {"Std:Join": {"On": "", "Values": [f"s3://{PLACE.artifacts_bucket}", "-x/evaluate/"]}}
project_pipeline(steps)
