"""A Redis OSS session cache of patient context with TLS on but at_rest_encryption_enabled
never set: Redis OSS replication groups are unencrypted at rest by default."""

import pulumi_aws as aws
from redteam_encryption import CACHE_SUBNET_GROUP, DATA_SECURITY_GROUP, opts

aws.elasticache.ReplicationGroup("patient-context-cache", replication_group_id="patient-context",
                                 description="patient context for the scoring service", engine="redis",
                                 engine_version="7.1", node_type="cache.r7g.large", num_cache_clusters=2,
                                 automatic_failover_enabled=True, transit_encryption_enabled=True,
                                 subnet_group_name=CACHE_SUBNET_GROUP, security_group_ids=[DATA_SECURITY_GROUP],
                                 opts=opts)
