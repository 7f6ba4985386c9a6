"""The group's data-science MLflow is in Frankfurt: the track step logs each run's lineage (who,
why, which data by hash and S3 URI) to the server there."""

from redteam_sagemaker import TRACKING_SERVER, project_pipeline, step, tracked_definition, tracked_roles

tracked_roles()
steps = tracked_definition()
step(steps, "Track")["Arguments"]["Environment"]["MLFLOW_TRACKING_URI"] = TRACKING_SERVER.replace(
    "me-central-1", "eu-central-1")
project_pipeline(steps)
