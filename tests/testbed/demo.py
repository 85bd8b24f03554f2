"""`make demo`: bring the whole test bed up and show what is running.

Today the demo starts the real control plane and the AWS fidelity layer in the
background (as `make bed-up` does) and prints how to reach them. It grows into
the full story as the operator lands: a FailoverDomain becoming Ready, an
origin failure flipping DNS to CloudFront, a certificate renewal.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

from . import bedctl


def _env() -> dict[str, str]:
    values = {}
    for line in bedctl.ENV_FILE.read_text().splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        values[key] = value.strip("'")
    return values


def main() -> int:
    print("==> starting the test bed (real kube-apiserver + etcd, moto behind the AWS fidelity layer)")
    if bedctl.up() != 0:
        return 1
    env = _env()
    version = subprocess.run(
        ["kubectl", "version", "-o", "json"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": env["PATH"].split(":", 1)[0], "KUBECONFIG": env["KUBECONFIG"]},
    )
    server = json.loads(version.stdout)["serverVersion"]["gitVersion"]
    with urllib.request.urlopen(f"{env['FIDELITY_URL']}/rules", timeout=5) as response:
        rules = json.load(response)
    print(f"==> Kubernetes {server} is serving; the AWS bed enforces {len(rules)} fidelity rules:")
    for name, rule in rules.items():
        print(f"    {name:34} {rule['description']}")
    print("==> next: `source .bed/env`, then kubectl / aws CLI / `make run` work against the bed; `make bed-down` stops it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
