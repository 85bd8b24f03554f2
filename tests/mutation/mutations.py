"""The named mutations of operator/failover_operator/ and the integration tests expected to catch each.

A mutation is an exact text replacement in one file; `find` must occur exactly
once in that file, or the harness refuses to run it ("no longer applies"): the
operator is edited every day, and a mutation whose pattern silently vanished
would otherwise be reported as caught or, worse, skipped. When that happens,
update `find` (and `replace`) to the code as it is now.

`tests` are pytest node ids (relative to the repository root) chosen to be the
few that should notice the bug quickly; `keyword` is an optional ``-k``
expression applied to them.
"""

from __future__ import annotations

from dataclasses import dataclass

LIFECYCLE = "tests/integration/test_lifecycle.py::test_create_becomes_ready_with_everything_in_aws"
RENEWAL = "tests/integration/test_renewal.py"
RECORDS = "tests/integration/test_records.py"
GAPS = "tests/integration/test_mutation_gaps.py"
BAD_SECRET = "tests/integration/test_bad_input.py::test_bad_secret_is_rejected_without_touching_aws"
DIALECT = "tests/integration/test_aws_dialect.py"
OWNERSHIP = "tests/integration/test_ownership.py"


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str  # relative to operator/failover_operator/
    find: str
    replace: str
    tests: tuple[str, ...]
    what: str  # the bug it simulates
    keyword: str | None = None


MUTATIONS: tuple[Mutation, ...] = (
    # ---- required by issue 10 -------------------------------------------------------------
    Mutation(
        "records-skip-secondary",
        "model/records.py",
        "    return [primary, secondary]\n",
        "    return [primary]\n",
        (f"{LIFECYCLE}[ACM]",),
        "the SECONDARY (CloudFront alias) record is never created",
    ),
    Mutation(
        "acm-never-reimport",
        "reconcile/certificate.py",
        "    elif current.sha256_fingerprint != bundle.sha256_fingerprint:\n",
        "    elif False:\n",
        (f"{RENEWAL}::test_acm_renewal_reimports_into_the_same_arn",),
        "a renewed Secret is never re-imported into its ACM certificate",
    ),
    Mutation(
        "secret-watch-ignored",
        "handlers.py",
        '    digest = "deleted" if type == "DELETED" else secret_digest(dict(body.get("data") or {}))\n',
        '    return\n    digest = "deleted" if type == "DELETED" else secret_digest(dict(body.get("data") or {}))\n',
        (f"{GAPS}::test_a_renewed_secret_reaches_its_failover_domain_through_the_watch",),
        "Secret changes are ignored (only the periodic drift check would notice a renewal)",
    ),
    Mutation(
        "records-pending-as-insync",
        "reconcile/records.py",
        '    if change_id and route53.get_change_status(state.aws.route53, change_id) != "INSYNC":\n',
        '    if change_id and route53.get_change_status(state.aws.route53, change_id) not in ("INSYNC", "PENDING"):\n',
        (f"{GAPS}::test_ready_waits_until_route53_reports_the_records_insync",),
        "a PENDING record change is reported as INSYNC (Ready before DNS serves the records)",
    ),
    Mutation(
        "cloudfront-drop-ifmatch",
        "aws/cloudfront.py",
        "DistributionConfig=config, IfMatch=etag)",
        "DistributionConfig=config)",
        (f"{LIFECYCLE}[ACM]",),
        "UpdateDistribution without IfMatch",
    ),
    Mutation(
        "distribution-stale-etag-retry",
        "reconcile/distribution.py",
        "                distribution = _reread(state)\n                continue\n",
        "                _reread(state)\n                continue\n",
        (f"{GAPS}::test_a_distribution_edited_between_read_and_write_is_reread_not_overwritten",),
        "after PreconditionFailed the update is retried with the same stale ETag",
    ),
    Mutation(
        "release-every-alias",
        "reconcile/release.py",
        '    config = desired_config(distribution["DistributionConfig"], [], ours, viewer)\n',
        '    config = desired_config(distribution["DistributionConfig"], [], '
        'aliases_of(distribution["DistributionConfig"]), viewer)\n',
        (
            f"{RECORDS}::test_two_failover_domains_in_one_zone_do_not_disturb_each_other",
            "tests/integration/test_sharing.py::test_two_sites_share_one_distribution_with_the_same_secret",
        ),
        "deletion removes every alias of the distribution, not only ours",
    ),
    # ---- our own choice, across every step --------------------------------------------------
    Mutation(
        "distribution-precondition-not-retried",
        "reconcile/distribution.py",
        "            if error.kind is Kind.PRECONDITION_FAILED:\n                distribution = _reread(state)\n",
        "            if False:\n                distribution = _reread(state)\n",
        (f"{GAPS}::test_a_distribution_edited_between_read_and_write_is_reread_not_overwritten",),
        "a lost ETag race is an AWS error (Warning, AwsError condition) instead of an immediate re-read and retry",
    ),
    Mutation(
        "retired-certificates-never-deleted",
        "reconcile/certificate.py",
        "        if not _delete(state, store, reference):\n",
        "        if True:\n",
        (f"{RENEWAL}::test_iam_renewal_switches_and_deletes_the_old_certificate_after_deploy",),
        "retired certificates are kept forever",
    ),
    Mutation(
        "maintenance-not-inverted",
        "model/healthcheck.py",
        '"Maintenance": (True, True)',
        '"Maintenance": (True, False)',
        ("tests/integration/test_modes.py::test_modes_drive_the_health_check_and_dns",),
        "Maintenance mode only disables the health check (Route53 keeps answering PRIMARY)",
    ),
    Mutation(
        "adoption-skips-delete",
        "model/records.py",
        '        plan.changes.insert(0, {"Action": "DELETE", "ResourceRecordSet": record})\n',
        "        pass\n",
        (f"{RECORDS}::test_adoption_replaces_the_simple_record_in_one_batch",),
        "adoption creates the pair without deleting the simple record in the same batch",
    ),
    Mutation(
        "record-conflict-ignored",
        "model/records.py",
        '        plan.conflicts.append(("RecordConflict", message))\n',
        "        pass\n",
        (f"{RECORDS}::test_existing_simple_record_blocks_with_record_conflict",),
        "an existing simple record does not block (no RecordConflict)",
    ),
    Mutation(
        "ready-while-inprogress",
        "reconcile/distribution.py",
        '    if distribution["Status"] != "Deployed":\n',
        '    if distribution["Status"] not in ("Deployed", "InProgress"):\n',
        (f"{RENEWAL}::test_iam_renewal_switches_and_deletes_the_old_certificate_after_deploy",),
        "DistributionReady is True while the distribution is still InProgress",
    ),
    Mutation(
        "health-check-id-not-persisted",
        "reconcile/healthcheck.py",
        "    state.inputs.persist(fields)\n    state.status.update(fields)\n",
        "    state.status.update(fields)\n",
        (f"{GAPS}::test_operator_killed_right_after_creating_the_health_check_leaves_no_orphan",),
        "a new health check id reaches status only at the end of the pass (a crash in between leaks it)",
    ),
    Mutation(
        "release-restores-no-simple-record",
        "model/records.py",
        '            changes.append({"Action": "CREATE", "ResourceRecordSet": record})\n',
        "            pass\n",
        ("tests/integration/test_deletion.py::test_delete_restores_simple_records_and_removes_everything[ACM]",),
        "deletion removes the failover pair without restoring a simple record (the names stop resolving)",
    ),
    Mutation(
        "aliases-never-added",
        "model/distribution.py",
        "    aliases += sorted(set(add) - set(aliases))\n",
        "",
        (f"{LIFECYCLE}[ACM]",),
        "our hostnames are never added to the distribution's aliases",
    ),
    Mutation(
        "viewer-certificate-never-set",
        "model/distribution.py",
        '    new_viewer = viewer if viewer is not None else config.get("ViewerCertificate")\n',
        '    new_viewer = config.get("ViewerCertificate")\n',
        (f"{LIFECYCLE}[ACM]",),
        "the distribution keeps the user's viewer certificate instead of ours",
    ),
    Mutation(
        "foreign-set-identifier-owned",
        "model/records.py",
        '        return record.get("SetIdentifier") in (self.primary, self.secondary)\n',
        '        return bool(record.get("SetIdentifier"))\n',
        (f"{GAPS}::test_routing_records_owned_by_someone_else_block_and_are_left_alone",),
        "any record with a SetIdentifier is taken for ours (someone else's routing records get replaced)",
    ),
    Mutation(
        "hostnames-not-checked",
        "model/certificates.py",
        "        _check_hostnames(hostnames, dns_names)\n",
        "        pass\n",
        (f"{GAPS}::test_a_trusted_certificate_that_does_not_cover_a_hostname_is_rejected", f"{BAD_SECRET}[hostname-not-covered]"),
        "CertificateValid does not check that the certificate covers every hostname",
    ),
    Mutation(
        "key-mismatch-undetected",
        "model/certificates.py",
        "        if wanted is not None and _spki(cert) == wanted:\n",
        "        if True:\n",
        (f"{GAPS}::test_a_trusted_certificate_with_another_certificates_key_is_rejected", f"{BAD_SECRET}[key-mismatch]"),
        "a tls.key that matches no certificate in tls.crt is accepted",
    ),
    Mutation(
        "health-check-never-replaced",
        "model/healthcheck.py",
        '    if any(current_config.get(key) != desired.get(key) for key in ("Type", "RequestInterval")):\n',
        "    if False:\n",
        ("tests/integration/test_edits.py::test_change_request_interval_replaces_the_check_after_records_move",),
        "an immutable health check setting (RequestInterval) is never applied",
    ),
    Mutation(
        "acm-lost-import-not-adopted",
        "reconcile/certificate.py",
        "        arn, current = _tagged_for(state, bundle, tagged)\n",
        "        pass\n",
        (f"{GAPS}::test_a_lost_import_answer_costs_no_second_import",),
        "after a lost ImportCertificate answer the certificate is imported again (not found by its tag)",
    ),
    Mutation(
        "acm-import-retried-by-botocore",
        "aws/session.py",
        'acm_import=session.client("acm", config=config.merge(Config(retries={"mode": "standard", "total_max_attempts": 1}))),',
        'acm_import=session.client("acm", config=config),',
        (f"{GAPS}::test_a_lost_import_answer_costs_no_second_import",),
        "botocore retries the non-idempotent ImportCertificate (a lost answer makes a twin)",
    ),
    # ---- AWS's dialect and ownership (issues 10 and 11) ---------------------------------------
    Mutation(
        "acm-key-type-always-changed",
        "reconcile/certificate.py",
        "    if current is not None and current.key_type != bundle.key_type:\n",
        "    if current is not None:\n",
        (f"{DIALECT}::test_acm_certificate_is_imported_once_however_many_passes",),
        "every pass takes the key-type-change path (as comparing ACM's 'RSA-2048' with 'RSA_2048' did)",
        keyword="rsa2048",
    ),
    Mutation(
        "regions-reset-every-pass",
        "model/healthcheck.py",
        '            if key == "Regions" and have == sorted(DEFAULT_REGIONS):\n                continue\n',
        "",
        (f"{RENEWAL}::test_metadata_only_secret_update_changes_nothing",),
        "the default Regions AWS reports are 'reset' on every pass (UpdateHealthCheck forever)",
    ),
    Mutation(
        "illegal-update-is-an-error",
        "reconcile/distribution.py",
        '    if error.code == "IllegalUpdate" and _reread(state).get("Status") != "Deployed":\n',
        "    if False:\n",
        (f"{DIALECT}::test_second_certificate_switch_waits_for_the_first",),
        "a second viewer-certificate change while one deploys is reported as an error",
    ),
    Mutation(
        "trust-not-checked",
        "reconcile/preflight.py",
        "    verdict = check_trust(bundle.leaf, bundle.chain, state.spec.hostnames[0], state.inputs.now)\n",
        "    verdict = None\n",
        (BAD_SECRET,),
        "a self-signed or staging certificate is imported and then refused by CloudFront",
        keyword="self-signed or staging-issuer",
    ),
    Mutation(
        "release-ignores-ownership-record",
        "reconcile/release.py",
        '        ours = added_aliases(state, distribution["Id"])\n',
        "        ours = set(state.spec.hostnames)\n",
        (f"{OWNERSHIP}::test_users_alias_for_our_hostname_is_kept",),
        "deletion removes every spec hostname from the distribution, the user's own alias included",
    ),
    Mutation(
        "original-viewer-not-restored",
        "reconcile/release.py",
        "        original = None if sharing else cloudfront.get_tag("
        'state.aws.cloudfront, distribution["ARN"], TAG_ORIGINAL_VIEWER)\n',
        "        original = None\n",
        (f"{OWNERSHIP}::test_users_distribution_is_unchanged_after_a_ready_failover_domain_is_deleted",),
        "deletion leaves the operator's certificate on the user's distribution",
        keyword="IAM",
    ),
    Mutation(
        "removed-hostname-unanswered",
        "reconcile/records.py",
        "    changes = restore_removed_hostnames(plan.changes, state.spec)\n",
        "    changes = plan.changes\n",
        (f"{OWNERSHIP}::test_removed_hostname_keeps_resolving_to_the_primary",),
        "a hostname removed from the spec loses its DNS answer",
    ),
    Mutation(
        "error-filed-under-first-step",
        "reconcile/__init__.py",
        "    step = state.step or next(",
        "    step = next(",
        (f"{OWNERSHIP}::test_access_denied_is_reported_by_the_step_that_made_the_call",),
        "an AWS error is filed under the first condition without a value, not the step that made the call",
        keyword="GetHostedZone",
    ),
    Mutation(
        "records-never-upserted",
        "model/records.py",
        "        elif not same_record(record, wanted[key]):\n",
        "        elif False:\n",
        ("tests/integration/test_drift.py::test_records_edited_and_deleted_are_restored",),
        "an owned record that differs from the spec is never updated",
    ),
)
