"""Shared maintenance distributions: allowed with the same certificate Secret, DistributionConflict otherwise."""

from __future__ import annotations

from testbed.world import World


def test_two_sites_share_one_distribution_with_the_same_secret(world: World) -> None:
    world.tls_secret("shared-tls", ["*.example.com"])
    world.apply("blog", world.spec(["blog.example.com"], secret="shared-tls"))
    world.apply("shop", world.spec(["shop.example.com"], secret="shared-tls"))
    blog, shop = world.wait_ready("blog"), world.wait_ready("shop")
    assert blog["status"]["certificate"]["arn"] == shop["status"]["certificate"]["arn"], "one ACM certificate for one Secret"
    assert sorted(world.distribution_config()["Aliases"]["Items"]) == ["blog.example.com", "shop.example.com"]
    acm = world.aws.client("acm").list_certificates(Includes={"keyTypes": ["RSA_2048"]})["CertificateSummaryList"]
    assert len(acm) == 1
    world.delete("blog")
    world.wait_gone("blog")
    config = world.distribution_config()
    assert config["Aliases"]["Items"] == ["shop.example.com"]
    assert config["ViewerCertificate"]["ACMCertificateArn"] == shop["status"]["certificate"]["arn"], (
        "the survivor keeps its certificate"
    )
    world.wait_ready("shop")  # a shared distribution redeploys after the neighbour leaves: Ready again once Deployed


def test_a_different_secret_on_the_same_distribution_is_a_conflict(world: World) -> None:
    world.tls_secret("blog-tls", ["blog.example.com"])
    world.tls_secret("shop-tls", ["shop.example.com"])
    world.apply("blog", world.spec(["blog.example.com"], secret="blog-tls"))
    world.wait_ready("blog")
    world.aws.control.clear_calls()
    world.apply("shop", world.spec(["shop.example.com"], secret="shop-tls"))
    world.wait_condition("shop", "DistributionReady", "False", "DistributionConflict")
    assert world.mutating_calls() == []
    assert world.distribution_config()["Aliases"]["Items"] == ["blog.example.com"]
