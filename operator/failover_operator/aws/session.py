"""boto3 clients for the four services, sharing one account-wide Route53 limiter.

Route53 allows 5 requests per second per *account*, shared by every client
(DESIGN.md §3 Quotas). One process-wide token bucket, applied to every HTTP
attempt (retries included) through botocore's ``before-send`` event, keeps this
operator under it however many FailoverDomains reconcile at once; botocore's
adaptive retry mode backs off further when AWS still answers ``Throttling``.

ACM certificates for CloudFront must live in us-east-1, and CloudFront, Route53
and IAM are global (signed in us-east-1), so every client uses us-east-1.
``AWS_ENDPOINT_URL`` (honoured by botocore itself) points them at a test bed.

ImportCertificate gets a client of its own that botocore never retries: botocore
counts ``LimitExceededException`` (the yearly import quota is used up) as
throttling and would repeat the call six times, and an import whose answer was
lost is not idempotent (each retry may leave a twin). The reconcile retries a
failed import itself, on its next pass, and reports a quota at once.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

CLOUDFRONT_REGION = "us-east-1"
DEFAULT_ROUTE53_RATE = 4.0  # below the 5/s account quota: leave room for other tools


def partition_problem(region: str | None, session: boto3.Session | None = None) -> str | None:
    """Why the operator cannot run in `region`'s partition, or None in the `aws` partition.

    CloudFront with ACM certificates, and the failover alias zone Z2FDTNDATAQYW2,
    exist only in the `aws` partition: aws-cn has its own alias zone and no ACM
    for CloudFront, GovCloud and the ISO partitions have no CloudFront at all.
    Every client is signed for us-east-1, so credentials of another partition
    would fail on every call with a confusing signature error; refuse at start.
    """
    if not region:
        return None
    partition = (session or boto3.Session()).get_partition_for_region(region)
    if partition == "aws":
        return None
    return (
        f"AWS region {region} is in the {partition} partition; failover-operator supports only the aws partition "
        "(CloudFront with ACM certificates and the alias zone Z2FDTNDATAQYW2 exist only there). "
        "Unset AWS_REGION/AWS_DEFAULT_REGION or use credentials and a region of the aws partition"
    )


class TokenBucket:
    """A thread-safe token bucket: `acquire()` blocks until a token is free."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst or rate
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self, **_: Any) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self.rate
            time.sleep(wait)


@dataclass
class AwsClients:
    """The operator's clients; build once per process with `AwsClients.create()`."""

    route53: Any
    cloudfront: Any
    acm: Any
    iam: Any
    acm_import: Any  # ImportCertificate only: botocore must not retry it (see `create`)
    route53_limiter: TokenBucket = field(repr=False)

    @classmethod
    def create(cls, route53_rate: float | None = None, session: boto3.Session | None = None) -> AwsClients:
        session = session or boto3.Session()
        rate = route53_rate or float(os.environ.get("FAILOVER_ROUTE53_RATE", DEFAULT_ROUTE53_RATE))
        limiter = TokenBucket(rate)
        config = Config(
            region_name=CLOUDFRONT_REGION,
            retries={"mode": "adaptive", "max_attempts": 6},
            connect_timeout=5,
            read_timeout=20,
        )
        route53 = session.client("route53", config=config)
        route53.meta.events.register("before-send.route53", limiter.acquire)
        return cls(
            route53=route53,
            cloudfront=session.client("cloudfront", config=config),
            acm=session.client("acm", config=config),
            iam=session.client("iam", config=config),
            route53_limiter=limiter,
            acm_import=session.client("acm", config=config.merge(Config(retries={"mode": "standard", "total_max_attempts": 1}))),
        )
