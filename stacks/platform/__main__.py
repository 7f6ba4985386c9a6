"""The Qantara platform: one blueprint, one environment, placed in-jurisdiction.

Config (Pulumi.yaml declares both):
  qantara:blueprint    path to the blueprint, relative to the repository root or absolute
  qantara:environment  one of the blueprint's environments
The cloud side is `qantara.aws_platform`, the on-prem side (a Kubernetes cluster, or an AWS
Outposts rack with its EKS local cluster) `qantara.onprem_platform`; this program only loads,
places and exports.
"""

from pathlib import Path

import pulumi

from qantara.aws_platform import AwsPlatformArgs, provision_aws
from qantara.blueprint import load_blueprint
from qantara.blueprint.profiles import environment_profile
from qantara.catalog import load_catalog
from qantara.errors import QantaraError
from qantara.paths import project_root
from qantara.sovereignty.placement import resolve_placement
from qantara.tagging import platform_tags

config = pulumi.Config("qantara")
blueprint_path = Path(config.require("blueprint"))
if not blueprint_path.is_absolute():
    blueprint_path = project_root() / blueprint_path

try:
    loaded = load_blueprint(blueprint_path)
    profile = environment_profile(loaded.model, config.require("environment"))
    placement = resolve_placement(loaded)
except (QantaraError, KeyError) as error:
    # A clean message in `pulumi up`, not a traceback.
    raise pulumi.RunError(str(getattr(error, "message", error))) from None

blueprint = loaded.model
catalog = load_catalog()
base_tags = platform_tags(
    blueprint.spec.tags,
    blueprint=blueprint.metadata.name,
    environment=profile.name,
    owner=blueprint.metadata.owner,
)

if placement.cloud_components():
    for name, value in provision_aws(AwsPlatformArgs(blueprint, profile, placement, catalog, base_tags)).items():
        pulumi.export(name, value)

if placement.onprem_components():
    # Imported only when needed: pulumi_kubernetes costs a cloud-only plan a second to load.
    from qantara.onprem_platform import OnPremPlatformArgs, provision_onprem

    # On an Outposts site the data lake is AWS resources too: they carry the same base tags.
    for name, value in provision_onprem(OnPremPlatformArgs(blueprint, profile, placement, aws_tags=base_tags)).items():
        pulumi.export(name, value)

pulumi.export("environment", profile.name)
pulumi.export("placement", {name: p.where for name, p in placement.components.items()})
