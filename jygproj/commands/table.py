"""Tables printed by the commands: columns aligned by display width (a Chinese character is two
columns wide), labels left, values right; never a data frame's repr (issue 15)."""

from __future__ import annotations

import unicodedata
from typing import Sequence

def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, n: int, right: bool) -> str:
    space = " " * (n - width(text))
    return space + text if right else text + space


def text_table(header: Sequence[str], rows: Sequence[Sequence[object]], gap: str = "  ") -> str:
    """``header`` and ``rows`` as aligned lines: the first column (labels) left, the others (values)
    right, with a rule under the header."""
    cells = [[str(h) for h in header]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(width(r[c]) for r in cells) for c in range(len(header))]
    lines = []
    for i, row in enumerate(cells):
        lines.append(gap.join(_pad(v, widths[c], right=c > 0) for c, v in enumerate(row)).rstrip())
        if i == 0:
            lines.append(gap.join("─" * w for w in widths))
    return "\n".join(lines)
