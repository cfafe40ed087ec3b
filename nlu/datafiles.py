"""Readers for the editable files in nlu/data/ (TSV with `#` comment lines)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


class DataFileError(ValueError):
    """A data file line that cannot be used; the message names file and line for staff."""


def rows(name: str, min_cols: int, max_cols: int | None = None) -> Iterator[list[str]]:
    """Yield the tab-separated fields of every non-blank, non-comment line of a data file.

    Fields are stripped. A line with too few or too many fields raises DataFileError with the
    file and line number, because a silently skipped line is a keyword that quietly stops
    working.
    """
    path = DATA_DIR / name
    top = max_cols if max_cols is not None else min_cols
    with path.open(encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = [f.strip() for f in line.split("\t")]
            while fields and not fields[-1]:
                fields.pop()
            if not min_cols <= len(fields) <= top:
                raise DataFileError(
                    f"{path.name}:{lineno}: expected {min_cols}..{top} tab-separated fields, "
                    f"got {len(fields)}: {line!r}"
                )
            yield fields


def number(field: str, where: str) -> float:
    try:
        return float(field)
    except ValueError:
        raise DataFileError(f"{where}: not a number: {field!r}") from None
