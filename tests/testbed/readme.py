"""The README's command blocks that tests run verbatim.

A fenced ``sh`` block preceded by ``<!-- walkthrough NAME: ... -->`` is run by
a test exactly as written, so the README cannot drift from what works.
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
_BLOCK = re.compile(r"<!-- walkthrough ([\w-]+)[^>]*-->\s*```sh\n(.*?)```", re.S)
_HEREDOC = re.compile(r"<<-?\s*'?(\w+)'?")


def blocks() -> dict[str, str]:
    """Every walkthrough block by name, as written."""
    return dict(_BLOCK.findall(README.read_text()))


def commands(name: str) -> list[str]:
    """The commands of block `name`: continuation lines joined, a here-document kept with its command, comments dropped."""
    result: list[str] = []
    terminator = None
    for line in blocks()[name].replace("\\\n", " ").splitlines():
        if terminator is not None:  # inside a here-document: every line belongs to the command, verbatim
            result[-1] += "\n" + line
            terminator = None if line.strip() == terminator else terminator
        elif line.strip() and not line.lstrip().startswith("#"):
            result.append(line.strip())
            heredoc = _HEREDOC.search(line)
            terminator = heredoc.group(1) if heredoc else None
    return result
