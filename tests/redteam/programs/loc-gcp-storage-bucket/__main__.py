"""A copy of the patient data in a Google Cloud Storage bucket ("it's in the Middle East
too"): a package Qantara does not model."""

from redteam_location import GcsBucket

GcsBucket("patient-data-gcs", {
    "name": "dubai-care-ml-prod-patient-data",
    "location": "ME-CENTRAL2",
    "uniformBucketLevelAccess": True,
    "labels": {"data-classification": "restricted"},
})
