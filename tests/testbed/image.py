"""The operator image without a container engine: what the Dockerfile does, replayed into a directory.

There is no Docker engine where this project is built and tested, yet the
image is what users run. So the Dockerfile itself is read and replayed: every
stage's ``ENV``, ``COPY`` and ``RUN`` (the ``python -m venv`` and the hashed
``pip install`` of ``requirements.lock``) run against a fresh directory that
stands in for the image's root filesystem, and the last stage's ``ENV`` and
``ENTRYPOINT`` say how to start it. Nothing is taken from the
development virtualenv: a dependency missing from the lock, a wrong COPY or a
broken entrypoint fails here as it would in the container.

Differences from a real build, each deliberate:
* absolute image paths (``/opt``, ``/app``, ``/tmp``) are rewritten under the
  stand-in root, and ``python`` is this machine's interpreter of the base
  image's version (``FROM python:3.11-slim`` → ``python3.11``);
* ``PIP_NO_CACHE_DIR`` is dropped so pip may reuse its download cache: with
  ``--require-hashes`` the cache cannot change what is installed;
* ``USER`` is not switched to: the virtualenv's interpreter is this
  machine's Python, which another user may not be able to reach (it lives
  under ``/root`` here). The Deployment's ``runAsNonRoot`` and read-only root
  are checked on the manifests instead.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_IMAGE_PATH = re.compile(r"(?<![\w./-])/(opt|app|tmp)(?=/|\b)")


@dataclass
class Stage:
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (INSTRUCTION, arguments)


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages with their instructions; line continuations joined, comments dropped."""
    stages: list[Stage] = []
    logical = re.sub(r"\\\n\s*", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    for line in logical.splitlines():
        if not line.strip():
            continue
        instruction, _, arguments = line.strip().partition(" ")
        if instruction.upper() == "FROM":
            stages.append(Stage(base=arguments.split()[0]))
        else:
            stages[-1].instructions.append((instruction.upper(), arguments.strip()))
    return stages


def _env_pairs(arguments: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in shlex.split(arguments))


@dataclass
class ImageRoot:
    """A replayed image: its stand-in root, and how its entrypoint runs."""

    root: Path
    env: dict[str, str]  # the last stage's ENV over a minimal base: the container's environment
    entrypoint: list[str]


def _rewrite(value: str, root: Path) -> str:
    return _IMAGE_PATH.sub(lambda match: f"{root}/{match.group(1)}", value)


def _python_for(base: str) -> str:
    version = re.match(r"python:(\d+\.\d+)", base)
    if not version:
        raise RuntimeError(f"unsupported base image {base}: expected python:<major>.<minor>")
    interpreter = shutil.which(f"python{version.group(1)}")
    if interpreter is None:
        raise RuntimeError(f"the image is based on {base}; python{version.group(1)} is not on this machine")
    return interpreter


def build(dockerfile: Path, root: Path, context: Path = REPO) -> ImageRoot:
    """Replay `dockerfile` into `root` (fresh); return how to run what it built."""
    stages = parse_dockerfile(dockerfile.read_text())
    root.mkdir(parents=True)
    env: dict[str, str] = {}
    for stage in stages:
        env = {"PATH": os.environ["PATH"], "HOME": str(root / "tmp")}
        python_dir = Path(_python_for(stage.base)).parent
        (root / "tmp").mkdir(exist_ok=True)
        for instruction, arguments in stage.instructions:
            if instruction == "ENV":
                for key, value in _env_pairs(arguments).items():
                    env[key] = _rewrite(value, root).replace("$PATH", env["PATH"])
                env.pop("PIP_NO_CACHE_DIR", None)
            elif instruction == "COPY":
                _copy(shlex.split(arguments), root, context)
            elif instruction == "RUN":
                command = _rewrite(arguments, root)
                path = f"{python_dir}:{env['PATH']}"
                build_env = {**env, "PATH": path, "HOME": os.environ.get("HOME", str(root / "tmp"))}  # pip's cache
                subprocess.run(["bash", "-ec", command], env=build_env, check=True, cwd=root, timeout=600)
            elif instruction not in {"EXPOSE", "USER", "ENTRYPOINT", "CMD"}:
                raise RuntimeError(f"the image replay does not know Dockerfile instruction {instruction}")
    return ImageRoot(root, env, _entrypoint(stages))


def entrypoint(dockerfile: Path) -> list[str]:
    """The image's ENTRYPOINT (exec form), as the container runtime runs it."""
    return _entrypoint(parse_dockerfile(dockerfile.read_text()))


def _entrypoint(stages: list[Stage]) -> list[str]:
    found: list[str] = json.loads(next(arguments for kind, arguments in stages[-1].instructions if kind == "ENTRYPOINT"))
    return found


def _copy(arguments: list[str], root: Path, context: Path) -> None:
    from_stage = any(argument.startswith("--from=") for argument in arguments)
    source, destination = [argument for argument in arguments if not argument.startswith("--")]
    target = Path(_rewrite(destination, root))
    if from_stage:  # every stage shares the stand-in root: the path is already there
        if not target.exists():
            raise RuntimeError(f"COPY --from: {destination} was not built by an earlier stage")
        return
    origin = context / source
    target.parent.mkdir(parents=True, exist_ok=True)
    if origin.is_dir():
        shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy2(origin, target)
