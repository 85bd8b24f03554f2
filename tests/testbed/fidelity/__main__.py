"""Launch moto_server with the fidelity rules installed and the middleware in front.

    python -m testbed.fidelity --port 0 [--port-file PATH]

`--port 0` picks a free loopback port; the chosen port is printed as
``FIDELITY_PORT=<n>`` on stdout (and written to --port-file) once it listens.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from types import FrameType

from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from . import acm, cloudfront, iam, limits, route53
from .middleware import FidelityMiddleware
from .state import STATE


def build_app() -> FidelityMiddleware:
    for rules in (cloudfront, iam, acm, route53, limits):  # limits wraps the service rules: it goes last
        rules.install(STATE)
    return FidelityMiddleware(DomainDispatcherApplication(create_backend_app), moto_api_backend.reset)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_CALL_RESET_API", "false")
    server = make_server(args.host, args.port, build_app(), threaded=True, request_handler=MotoRequestHandler)
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    port = server.socket.getsockname()[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as handle:
            handle.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"FIDELITY_PORT={port}", flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
