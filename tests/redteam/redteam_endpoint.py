"""A project's own endpoint the compliant way, for the endpoint-* red-team programs: the
project's model served from the platform's image repository with the platform's serving role,
key, subnets and capture bucket in the UAE, and its monitoring (schedule, health and drift
alarms) built as the template builds it. No trail: the platform's records the endpoint."""

from redteam_base import ACCOUNT, TAGS, opts

from qantara.components.drift_monitoring import DriftMonitoring, DriftMonitoringArgs, MonitoredEndpoint
from qantara.components.identity import StackIdentity
from qantara.components.model_serving import ModelServing, ModelServingArgs, VariantArgs

MODEL = "readmission-risk"
KEY = f"arn:aws:kms:me-central-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
SECURITY_GROUPS = ["sg-0a1b2c3d4e5f60001"]
IDENTITY = StackIdentity(blueprint="dubai-care-ml", environment="prod", region="me-central-1", account_id=ACCOUNT)
IMAGE = f"{ACCOUNT}.dkr.ecr.me-central-1.amazonaws.com/dubai-care-ml-prod-models:readmission-risk-0.1.0"


def served_and_monitored() -> ModelServing:
    """The project's endpoint and its monitoring, as infra/__main__.py declares them."""
    serving = ModelServing(MODEL, ModelServingArgs(
        identity=IDENTITY, model_name=MODEL,
        variants=[VariantArgs(name="champion", weight=100, image_uri=IMAGE, instance_type="ml.m5.large",
                              initial_instance_count=1, max_instance_count=2)],
        execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/dubai-care-ml-prod-serving", kms_key_arn=KEY,
        subnet_ids=SUBNETS, security_group_ids=SECURITY_GROUPS,
        data_capture_bucket="dubai-care-ml-prod-raw-me-central-1",
        data_classification=TAGS["data-classification"], tags=TAGS), opts=opts)
    DriftMonitoring("drift", DriftMonitoringArgs(
        identity=IDENTITY,
        endpoints=[MonitoredEndpoint(model_name=MODEL, endpoint_name=serving.endpoint_name,
                                     variant_names=serving.variant_names, data_capture_uri=serving.data_capture_uri,
                                     drift_features=["x1", "x2", "x3"])],
        kms_key_arn=KEY, monitoring_bucket="dubai-care-ml-prod-artifacts-me-central-1", subnet_ids=SUBNETS,
        security_group_ids=SECURITY_GROUPS, drift_threshold=0.2, data_classification=TAGS["data-classification"],
        tags=TAGS, project_model=MODEL), opts=opts)
    return serving
