"""failover-operator: keeps a Route53 failover to a CloudFront maintenance page true.

The source root is ``operator/`` on purpose *without* an ``__init__.py``: a
package named ``operator`` would shadow the standard library module that kopf
(and much else) imports. The importable package is ``failover_operator``.
"""

__version__ = "0.1.0"
