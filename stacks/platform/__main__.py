"""The Qantara platform: one blueprint, one environment, placed in-jurisdiction.

Config (Pulumi.yaml declares both):
  qantara:blueprint    path to the blueprint, relative to the repository root or absolute
  qantara:environment  one of the blueprint's environments
Every AWS resource goes through an explicit provider in the region placement chose, so a
missing or wrong `aws:region` in the stack config can never move data.
"""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from qantara.blueprint import load_blueprint
from qantara.components.data_lake import DataLake, DataLakeArgs
from qantara.components.naming import kms_alias
from qantara.components.sovereign_keys import SovereignKeys, SovereignKeysArgs
from qantara.components.tagging import component_tags, platform_tags
from qantara.errors import QantaraError
from qantara.paths import project_root
from qantara.sovereignty.catalog import load_catalog, regions
from qantara.sovereignty.placement import resolve_placement

config = pulumi.Config("qantara")
blueprint_path = Path(config.require("blueprint"))
if not blueprint_path.is_absolute():
    blueprint_path = project_root() / blueprint_path
environment_name = config.require("environment")

try:
    loaded = load_blueprint(blueprint_path)
    environment = loaded.model.environment(environment_name)
    placement = resolve_placement(loaded)
except QantaraError as error:
    # A clean message in `pulumi up`, not a traceback.
    raise pulumi.RunError(error.message) from None

blueprint = loaded.model
catalog = load_catalog()
cloud = placement.cloud_components()
base_tags = platform_tags(
    blueprint.spec.tags,
    blueprint=blueprint.metadata.name,
    environment=environment.name,
    owner=blueprint.metadata.owner,
)

if cloud:
    region = placement.primary_region
    partition = regions(catalog)[region]["partition"]
    provider = aws.Provider(f"aws-{region}", region=region, default_tags={"tags": base_tags})
    in_region = pulumi.ResourceOptions(provider=provider)
    account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider)).account_id
    # The key protects the strictest data the cloud side holds.
    order = catalog["jurisdictions"]["classifications"]
    key_class = max((p.data_class for p in cloud.values()), key=order.index)

    keys = SovereignKeys(
        "platform-keys",
        SovereignKeysArgs(
            alias=kms_alias(blueprint.metadata.name, environment.name, "platform"),
            description=f"Qantara platform key for {blueprint.metadata.name} ({environment.name})",
            account_id=account_id,
            partition=partition,
            data_classification=key_class,
            service_principals=["logging.s3.amazonaws.com"],
            tags=component_tags(base_tags, component="keys", data_classification=key_class),
        ),
        opts=in_region,
    )
    pulumi.export("region", region)
    pulumi.export("platformKeyArn", keys.key_arn)

    if "dataLake" in cloud:
        lake_class = cloud["dataLake"].data_class
        lake = DataLake(
            "data-lake",
            DataLakeArgs(
                blueprint=blueprint.metadata.name,
                environment=environment.name,
                region=region,
                kms_key_arn=keys.key_arn,
                partition=partition,
                data_classification=lake_class,
                force_destroy=environment.name == "dev",
                tags=component_tags(base_tags, component="dataLake", data_classification=lake_class),
            ),
            opts=in_region,
        )
        pulumi.export("dataLakeBuckets", lake.bucket_names)

pulumi.export("placement", {name: p.where for name, p in placement.components.items()})
