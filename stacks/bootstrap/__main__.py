"""Bootstrap of one Qantara platform: the state bucket and secrets key, in its placed region.

Run once per blueprint, by an administrator, with a local backend (see README.md); every
platform stack of the blueprint then keeps its state and secrets here.
Config: qantara-bootstrap:blueprint  path to the blueprint, relative to the repository root or absolute.
"""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from qantara.blueprint import load_blueprint
from qantara.blueprint.models import CLASSIFICATION_ORDER
from qantara.catalog import load_catalog, regions
from qantara.components.identity import StackIdentity
from qantara.components.state_backend import STATE_SCOPE, StateBackend, StateBackendArgs
from qantara.errors import QantaraError
from qantara.paths import project_root
from qantara.sovereignty.placement import resolve_placement

blueprint_path = Path(pulumi.Config().require("blueprint"))
if not blueprint_path.is_absolute():
    blueprint_path = project_root() / blueprint_path
try:
    loaded = load_blueprint(blueprint_path)
    placement = resolve_placement(loaded)
except QantaraError as error:
    raise pulumi.RunError(error.message) from None

blueprint = loaded.model
if placement.primary_region is None:
    raise pulumi.RunError(
        f"{blueprint_path}: nothing of {blueprint.metadata.name} is placed in an AWS region, so there is no "
        "in-jurisdiction region for its state; keep it on-prem (pulumi login file://... on the site)"
    )
region = placement.primary_region
# State holds every resource's inputs: it is as sensitive as the strictest cloud component.
state_class = max((p.data_class for p in placement.cloud_components().values()), key=CLASSIFICATION_ORDER.index)
tags = {**blueprint.spec.tags, "owner": blueprint.metadata.owner, "qantara-blueprint": blueprint.metadata.name,
        "environment": "all", "data-classification": state_class}
provider = aws.Provider(f"aws-{region}", region=region, default_tags={"tags": tags})
account_id = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=provider)).account_id

backend = StateBackend(
    "state",
    StateBackendArgs(
        identity=StackIdentity(blueprint=blueprint.metadata.name, environment=STATE_SCOPE, region=region,
                               account_id=account_id, partition=regions(load_catalog())[region]["partition"]),
        data_classification=state_class,
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(provider=provider),
)
pulumi.export("region", region)
pulumi.export("stateBucket", backend.bucket_name)
pulumi.export("stateBucketArn", backend.bucket.arn)
pulumi.export("stateKeyArn", backend.key_arn)
pulumi.export("loginUrl", backend.login_url)
pulumi.export("secretsProvider", backend.secrets_provider)
