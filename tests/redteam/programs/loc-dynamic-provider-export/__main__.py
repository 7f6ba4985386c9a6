"""A dynamic provider that pushes each day's patient extract to a partner's API: its own
code decides where the data goes."""

import pulumi
import pulumi.dynamic
from redteam_base import compliant_bucket


class PartnerExportProvider(pulumi.dynamic.ResourceProvider):
    def create(self, props):
        # The real one POSTs the extract to props["endpoint"]; the check never runs it.
        return pulumi.dynamic.CreateResult(id_=props["dataset"], outs=props)


class PartnerExport(pulumi.dynamic.Resource):
    def __init__(self, name, props, opts=None):
        super().__init__(PartnerExportProvider(), name, props, opts)


lake = compliant_bucket("patient-data")
PartnerExport("partner-export", {"dataset": lake.bucket, "endpoint": "https://api.partner.example/v1/extracts"})
