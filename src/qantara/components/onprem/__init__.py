"""On-premises components: the platform on an organisation's own Kubernetes cluster.

Each module holds one `ComponentResource` built with pulumi-kubernetes. `coverage` says,
without importing Pulumi, what each platform component becomes on-prem and what Qantara
does not provision there; placement reads it to warn.
"""
