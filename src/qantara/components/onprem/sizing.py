"""How big on-prem workloads and their namespace are, production or not.

Qantara's own defaults, not law: sized so that a platform's workloads (object store,
tracking server, two variants of a few models, their rolling updates) fit inside the
namespace's quota with room to spare. An organisation with other needs changes them here.
"""

from __future__ import annotations

from qantara.components.onprem.hardening import Size

# Per-container defaults and ceiling the namespace's LimitRange applies.
CONTAINER_DEFAULT = Size("100m", "128Mi", "500m", "512Mi")
CONTAINER_MAX = {False: {"cpu": "4", "memory": "8Gi"}, True: {"cpu": "8", "memory": "16Gi"}}

# The namespace's ResourceQuota.
QUOTA = {
    False: {"requests.cpu": "8", "requests.memory": "16Gi", "limits.cpu": "16", "limits.memory": "32Gi",
            "pods": "40", "persistentvolumeclaims": "10", "requests.storage": "200Gi"},
    True: {"requests.cpu": "32", "requests.memory": "64Gi", "limits.cpu": "64", "limits.memory": "128Gi",
           "pods": "100", "persistentvolumeclaims": "20", "requests.storage": "2Ti"},
}

OBJECT_STORE = {False: Size("250m", "512Mi", "1", "2Gi"), True: Size("1", "2Gi", "4", "8Gi")}
OBJECT_STORE_VOLUME = {False: "50Gi", True: "500Gi"}
BUCKET_SETUP = Size("50m", "64Mi", "250m", "256Mi")

# The tracking server's size names are the SageMaker managed MLflow ones the cloud side uses.
TRACKING_SERVER = {
    "Small": Size("250m", "512Mi", "1", "1Gi"),
    "Medium": Size("500m", "1Gi", "2", "2Gi"),
    "Large": Size("1", "2Gi", "4", "4Gi"),
}
TRACKING_VOLUME = {False: "5Gi", True: "20Gi"}

# A variant's SageMaker instance type has no on-prem meaning: every model pod gets this.
MODEL_SERVER = {False: Size("250m", "512Mi", "1", "2Gi"), True: Size("500m", "1Gi", "2", "4Gi")}
