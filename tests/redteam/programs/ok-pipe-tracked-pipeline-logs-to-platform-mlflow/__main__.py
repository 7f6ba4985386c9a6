"""The project's pipeline as Qantara defines it when the platform's MLflow is SageMaker's in the
UAE: the seven steps isolated, evaluate's record output, and a track step after register that
has a network but reads only the record, as its own role scoped to the record and the one
tracking server."""

from redteam_sagemaker import project_pipeline, tracked_definition, tracked_roles

tracked_roles()
project_pipeline(tracked_definition())
