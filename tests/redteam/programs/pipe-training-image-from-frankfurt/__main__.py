"""The project's pipeline trains in the team's shared GPU image, which lives in the group's
Frankfurt registry: the pipeline is in the UAE, but its training step pulls its code from
eu-central-1 (and the job would read the patients' data with it)."""

from redteam_sagemaker import definition, pipeline_role, project_pipeline, step

role = pipeline_role()
steps = definition()
step(steps, "Train")["Arguments"]["AlgorithmSpecification"]["TrainingImage"] = (
    "000000000000.dkr.ecr.eu-central-1.amazonaws.com/shared/sklearn-gpu:1.5")
project_pipeline(steps)
