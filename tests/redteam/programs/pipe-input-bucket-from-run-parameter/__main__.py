"""The ingest step reads its data from a run parameter whose default is the platform's curated
bucket: the definition names only the platform's bucket, but whoever starts an execution can
point the step at any bucket (start-pipeline-execution --pipeline-parameters DataUri=...)."""

from redteam_sagemaker import PLACE, definition, pipeline_role, project_pipeline, step

role = pipeline_role()
steps = definition()
steps["Parameters"].append({"Name": "DataUri", "Type": "String",
                            "DefaultValue": f"s3://{PLACE.data_bucket}/{PLACE.model_package_group}/training/"})
step(steps, "Ingest")["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] = {"Get": "Parameters.DataUri"}
project_pipeline(steps)
