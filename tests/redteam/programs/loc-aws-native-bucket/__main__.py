"""Patient data in a bucket made with the AWS Cloud Control provider (aws-native), whose
region Qantara does not model."""

from redteam_location import NativeS3Bucket

NativeS3Bucket("patient-data-native", {
    "bucketName": "dubai-care-ml-prod-patient-data-native",
    "bucketEncryption": {"serverSideEncryptionConfiguration": [
        {"serverSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]},
    "versioningConfiguration": {"status": "Enabled"},
    "tags": [{"key": "data-classification", "value": "restricted"}],
})
