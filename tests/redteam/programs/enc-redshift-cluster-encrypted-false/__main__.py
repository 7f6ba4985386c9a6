"""A private claims warehouse with encrypted=False."""

import pulumi_aws as aws
from redteam_encryption import DATA_SECURITY_GROUP, opts

aws.redshift.Cluster("claims-warehouse", cluster_identifier="dubai-care-ml-prod-claims", node_type="ra3.xlplus",
                     number_of_nodes=2, database_name="claims", master_username="claims_admin",
                     manage_master_password=True, cluster_subnet_group_name="dubai-care-ml-prod-redshift",
                     vpc_security_group_ids=[DATA_SECURITY_GROUP], publicly_accessible=False,
                     encrypted=False, opts=opts)
