"""Service-availability warnings name only services the plan uses."""

from qantara.catalog import load_catalog
from qantara.plan.service_use import relevant_warnings

MLFLOW = "availability of SageMaker managed MLflow in me-central-1 is uncertain: confirm it before `pulumi up`"
OBJECT_LOCK = "availability of S3 Object Lock in me-central-1 is uncertain: confirm it before `pulumi up`"
OTHER = "the Model Monitor image account for me-central-1 is marked uncertain"


def _plan(*resources):
    return {"resources": [{"type": t, "name": f"r{i}", "inputs": inputs} for i, (t, inputs) in enumerate(resources)]}


def test_a_plan_of_plain_buckets_gets_no_warning_about_mlflow_or_object_lock():
    plan = _plan(("aws:s3/bucket:Bucket", {"bucket": "data"}))
    assert relevant_warnings([MLFLOW, OBJECT_LOCK, OTHER], plan, load_catalog()) == [OTHER]


def test_a_plan_with_a_tracking_server_keeps_the_mlflow_warning():
    plan = _plan(("aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer", {}))
    assert relevant_warnings([MLFLOW, OBJECT_LOCK], plan, load_catalog()) == [MLFLOW]


def test_a_bucket_created_with_object_lock_keeps_the_object_lock_warning():
    plan = _plan(("aws:s3/bucket:Bucket", {"objectLockEnabled": True}))
    assert relevant_warnings([MLFLOW, OBJECT_LOCK], plan, load_catalog()) == [OBJECT_LOCK]


def test_a_warning_about_a_service_the_table_does_not_list_is_never_hidden():
    unlisted = "availability of Amazon Bedrock in me-central-1 is uncertain: confirm it before `pulumi up`"
    assert relevant_warnings([unlisted], _plan(), load_catalog()) == [unlisted]
