"""The data-science account runs a shared MLflow in the UAE: the track step logs each run's
lineage to that account's server instead of the platform's."""

from redteam_sagemaker import TRACKING_SERVER, project_pipeline, step, tracked_definition, tracked_roles

tracked_roles()
steps = tracked_definition()
step(steps, "Track")["Arguments"]["Environment"]["MLFLOW_TRACKING_URI"] = TRACKING_SERVER.replace(
    ":000000000000:", ":444455556666:")
project_pipeline(steps)
