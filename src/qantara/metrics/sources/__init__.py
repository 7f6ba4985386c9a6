"""Where delivery events come from: SageMaker and CloudWatch, the CloudTrail audit trail (boto3),
MLflow's registry, the cluster's rollout history and KServe's Knative revisions (kubernetes
client), or an event file;
`select` chooses one from the command's options."""
