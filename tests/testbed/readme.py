"""The README's command blocks that tests run verbatim.

A fenced ``sh`` block preceded by ``<!-- walkthrough NAME: ... -->`` is run by
a test exactly as written, so the README cannot drift from what works.
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
_BLOCK = re.compile(r"<!-- walkthrough (\w+)[^>]*-->\s*```sh\n(.*?)```", re.S)


def blocks() -> dict[str, str]:
    """Every walkthrough block by name, as written."""
    return dict(_BLOCK.findall(README.read_text()))


def commands(name: str) -> list[str]:
    """The commands of block `name`: continuation lines joined, comment lines dropped."""
    joined = blocks()[name].replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]
