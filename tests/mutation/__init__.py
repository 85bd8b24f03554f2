"""Mutation check: every named mutation of the operator's source must make some integration test fail.

    python -m mutation [--only name1,name2] [--list] [--check] [--no-baseline]     (make mutation-check)

The mutations live in `mutation.mutations`; the harness is `mutation.__main__`.
"""
