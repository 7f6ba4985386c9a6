"""The data scientist wants the MLflow run to show the training split's summary, so the track
step (the one step with a network) also mounts the features step's output: the patients'
training rows reach a job that can talk to the network."""

from redteam_sagemaker import project_pipeline, step, tracked_definition, tracked_roles

tracked_roles()
steps = tracked_definition()
features = step(steps, "Features")["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
step(steps, "Track")["Arguments"]["ProcessingInputs"].append({"InputName": "features", "S3Input": {
    "S3Uri": features, "LocalPath": "/opt/ml/processing/input/features", "S3DataType": "S3Prefix",
    "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}})
project_pipeline(steps)
