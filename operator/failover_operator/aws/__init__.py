"""The AWS layer: one small module per service, an error classifier, clients with rate limiting.

Never imports kopf: these functions return plain data and raise `AwsError`,
so the orchestration above decides what a failure means for the resource.
"""
