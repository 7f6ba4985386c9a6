"""What the encryption red-team programs share beyond redteam_base: the platform's audit trail
(the plan holds data stores, so QA-RES-019 wants one) and the private network the team already
has (subnets and a security group created outside this program, named by id), so that each
program's only fault is how one store is encrypted."""

from redteam_base import audit, key, opts  # noqa: F401  (re-exported for the programs)

PRIVATE_SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829"]
DATA_SECURITY_GROUP = "sg-0c3d4e5f607182930"
DB_SUBNET_GROUP = "dubai-care-ml-prod-private"
CACHE_SUBNET_GROUP = "dubai-care-ml-prod-cache"

# Data stores show up in CloudTrail only when a trail records them.
audit([])
