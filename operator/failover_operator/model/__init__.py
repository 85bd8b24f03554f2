"""Pure model: spec, certificates, desired state — no kopf, no boto3."""
