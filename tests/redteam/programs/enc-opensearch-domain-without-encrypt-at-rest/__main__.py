"""A clinical-notes search domain inside the VPC, with HTTPS and node-to-node encryption, but
no encrypt_at_rest block: indices, logs and snapshots are stored unencrypted."""

import pulumi_aws as aws
from redteam_encryption import DATA_SECURITY_GROUP, PRIVATE_SUBNETS, opts

aws.opensearch.Domain("clinical-notes-search", domain_name="clinical-notes", engine_version="OpenSearch_2.13",
                      cluster_config={"instance_type": "r6g.large.search", "instance_count": 2,
                                      "zone_awareness_enabled": True},
                      ebs_options={"ebs_enabled": True, "volume_size": 100, "volume_type": "gp3"},
                      vpc_options={"subnet_ids": PRIVATE_SUBNETS, "security_group_ids": [DATA_SECURITY_GROUP]},
                      node_to_node_encryption={"enabled": True},
                      domain_endpoint_options={"enforce_https": True, "tls_security_policy": "Policy-Min-TLS-1-2-2019-07"},
                      opts=opts)
