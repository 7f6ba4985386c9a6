"""StateBackend: one state bucket and key per blueprint, whatever environment its identity names."""

import pulumi
import pulumi_aws as aws

from qantara.components.identity import StackIdentity
from qantara.components.state_backend import STATE_SCOPE, StateBackend, StateBackendArgs
from qantara.naming import bucket_name, kms_alias


def _backend(environment):
    def body():
        provider = aws.Provider("aws-me-central-1", region="me-central-1")
        StateBackend("state", StateBackendArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment=environment, region="me-central-1",
                                   account_id="111122223333"),
            tags={"data-classification": "restricted"},
        ), opts=pulumi.ResourceOptions(provider=provider))
    return body


def test_state_is_kept_once_per_blueprint_not_per_environment(build):
    # An identity naming an environment must not split the blueprint's state into two buckets.
    for environment in (STATE_SCOPE, "prod"):
        resources = build(_backend(environment))
        bucket = resources[("aws:s3/bucket:Bucket", "state-bucket")]["inputs"]
        assert bucket["bucket"] == bucket_name("dubai-care-ml", STATE_SCOPE, "pulumi", "me-central-1")
        alias = resources[("aws:kms/alias:Alias", "state-keys-alias")]["inputs"]
        assert alias["name"] == kms_alias("dubai-care-ml", STATE_SCOPE, "pulumi")
