"""Where delivery events come from: AWS (boto3), MLflow's registry, or an event file."""
