"""Extracts that arrive as files: a periodic task picks up new files in INGEST_DROP_DIR.

Each file becomes an extract (queued for the pipeline) and moves to ``processed/``; a file
that cannot become one (empty, too large, a duplicate, an unknown layout) moves to
``failed/`` with a ``.reason.txt`` beside it. One broken file never stops the others.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from indicators.models import ExtractKind
from ingest.queue import extract_submit
from ingest.services import ExtractRefused

logger = logging.getLogger(__name__)
SETTLE_SECONDS = 2  # a file still being copied in is left for the next scan
COUNTS_HEADER_WORDS = {"indicator_code", "numerator", "denominator", "area_code"}


@dataclass
class DropScan:
    queued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"queued": self.queued, "failed": self.failed}


def drop_folder_scan(
    folder: Path | None = None, *, settle_seconds: float = SETTLE_SECONDS
) -> DropScan:
    folder = Path(folder or settings.INGEST_DROP_DIR)
    processed, failed = folder / "processed", folder / "failed"
    for path in (folder, processed, failed):
        path.mkdir(parents=True, exist_ok=True)
    scan = DropScan()
    now = time.time()
    for path in sorted(folder.iterdir()):
        if (
            not path.is_file()
            or path.name.startswith(".")
            or now - path.stat().st_mtime < settle_seconds
        ):
            continue
        try:
            data = path.read_bytes()
            extract_submit(data=data, original_name=path.name, kind=guess_kind(data, path.name))
        except (ExtractRefused, OSError) as error:
            message = getattr(error, "message", None) or str(error)
            _move(path, failed)
            (failed / f"{path.name}.reason.txt").write_text(message + "\n", encoding="utf-8")
            scan.failed.append(path.name)
            logger.warning("Drop folder: %s refused: %s", path.name, message)
        else:
            _move(path, processed)
            scan.queued.append(path.name)
    return scan


def guess_kind(data: bytes, name: str) -> str:
    """Granular counts have their own column names; anything else is read as Fingertips values.
    A ``counts`` or ``values`` word in the file name settles it when the header cannot."""
    lowered = name.lower()
    if "counts" in lowered:
        return ExtractKind.COUNTS
    if "values" in lowered or "fingertips" in lowered:
        return ExtractKind.VALUES
    first_line = data[:4096].split(b"\n", 1)[0].decode("utf-8", errors="replace").lower()
    words = {word.strip().strip('"').lstrip("\ufeff") for word in first_line.split(",")}
    return ExtractKind.COUNTS if COUNTS_HEADER_WORDS <= words else ExtractKind.VALUES


def _move(path: Path, folder: Path) -> None:
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}-{int(time.time() * 1000)}{path.suffix}"
    shutil.move(str(path), target)
