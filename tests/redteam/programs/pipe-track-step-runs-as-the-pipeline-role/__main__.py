"""One role fewer to manage: the track step runs as the pipeline's role, which reads the whole
training data and every step's output, in the one job that has a network."""

from redteam_sagemaker import PLACE, project_pipeline, step, tracked_definition, tracked_roles

tracked_roles()
steps = tracked_definition()
step(steps, "Track")["Arguments"]["RoleArn"] = PLACE.role_arn
project_pipeline(steps)
