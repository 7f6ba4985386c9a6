"""A Glue connection to the hospital information system's vendor-hosted SQL Server.
pulumi-aws keeps connection_properties secret, so the plan cannot read where the JDBC URL
points: the destination cannot be shown to stay in the country."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts

compliant_bucket("patient-data")
aws.glue.Connection(
    "his-vendor",
    connection_type="JDBC",
    connection_properties={
        "JDBC_CONNECTION_URL": "jdbc:sqlserver://his-db.vendor-hosting.example:1433;databaseName=emr",
        "SECRET_ID": "his-vendor-credentials",
    },
    opts=opts,
)
