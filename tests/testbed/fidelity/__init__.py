"""The AWS fidelity layer: moto_server made to behave like AWS for the calls we make.

moto is far more lenient than AWS (measured gaps: ``shared/notes/moto.md``). An
operator tested against plain moto would pass tests it fails in production:
stale CloudFront ETags accepted, duplicate health checks, DELETEs that remove
the wrong records, certificates deleted while in use. This package launches
moto_server in-process with named *rules* patched into its backends
(``state.RULES``; one module per service) and a WSGI middleware in front that
injects faults and records every call. Start it with::

    python -m testbed.fidelity --port 0          # prints FIDELITY_PORT=<n>

AWS SDKs use it as an ordinary endpoint (``AWS_ENDPOINT_URL=http://127.0.0.1:<n>``,
any dummy credentials). Any rule can be switched off at launch with
``FIDELITY_DISABLED_RULES=rule.a,rule.b`` — that is how we prove each rule has a
test that depends on it. Default delays come from ``FIDELITY_CLOUDFRONT_DEPLOY_SECONDS``
(2) and ``FIDELITY_ROUTE53_INSYNC_SECONDS`` (1).

Control API (JSON, same port; ``testbed.awsbed.FidelityClient`` wraps it)
-------------------------------------------------------------------------
``POST   /_fidelity/reset``                 empty every backend; clear faults, calls, health; default delays and quota
``GET    /_fidelity/calls``                 the call record: ``[{service, operation, status, error, mutating, time}]``
``DELETE /_fidelity/calls``                 clear the call record
``POST   /_fidelity/faults``                ``{kind, service?, operation?, count?=1, latency_ms?}``; kind is one of
                                            ``throttle`` (Throttling / ThrottlingException), ``prior_request``
                                            (PriorRequestNotComplete), ``error5xx`` (503), ``reset`` (connection
                                            dropped without a response), ``lost_response`` (the call is carried
                                            out, then the connection drops: the client cannot know it
                                            succeeded), ``latency`` (delay, then serve);
                                            ``count: null`` keeps the fault until cleared
``DELETE /_fidelity/faults``                clear all faults
``GET|PUT /_fidelity/delays``               ``{cloudfront_deploy_seconds, route53_insync_seconds}``
``PUT    /_fidelity/route53/quota``         ``{enabled, rate}``: the account-wide Route53 quota (default on, 5/s)
``PUT    /_fidelity/route53/health/<id>``   ``{healthy: bool}``: what Route53's checkers observe for a health check
``GET    /_fidelity/route53/resolve``       ``?zone_id=&name=&type=``: what Route53 would answer now
``GET    /_fidelity/rules``                 every rule, its description and whether it is enabled
"""
