"""What the content was when `check` last found no error, so that the one value edited since leads the errors.

`check` alone can only guess which of several disagreeing figures is wrong (gongkai.causes). Remembering
each file's values at the last clean check turns the guess into knowledge: when exactly one value changed
since, it caused every error now. The memory is a cache outside the content folder — in
$XDG_CACHE_HOME/gongkai (else ~/.cache/gongkai), one file per content folder — never needed, never
published, and a damaged or missing one only means the guess is used.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from gongkai.causes import Edit, Values, edits_since, values_of
from gongkai.pipeline import ReadResult, check, read_source
from gongkai.preview import file_stamp
from gongkai.problems import Report
from gongkai.reader import Document
from gongkai.sources import Source

Remembered = dict[Path, tuple[list[int], Values]]


def check_remembering(root: Path) -> tuple[Report, Edit | None]:
    """`check`, and the one edit since the last clean check when there is exactly one."""
    documents: dict[Path, Document] = {}

    def read(source: Source, model_class: type) -> ReadResult:
        result = read_source(source, model_class)
        documents[source.path] = result[0]
        return result

    report = check(root, read)
    store = _store(root)
    remembered = _recall(store)
    stamps = {path: list(file_stamp(path)) for path in documents}
    if report.ok:
        if remembered.keys() == documents.keys() and all(remembered[p][0] == stamps[p] for p in documents):
            return report, None  # nothing changed since it was remembered
        _remember(store, {path: (stamps[path], _values(path, stamps[path], documents[path], remembered))
                          for path in documents})
        return report, None
    if not remembered or remembered.keys() != documents.keys():
        return report, None  # a file came or went since: not one edit
    changed = {path: documents[path] for path in documents if remembered[path][0] != stamps[path]}
    return report, edits_since({p: remembered[p][1] for p in changed}, changed) if changed else None


def _values(path: Path, stamp: list[int], document: Document, remembered: Remembered) -> Values:
    known = remembered.get(path)
    return known[1] if known is not None and known[0] == stamp else values_of(document)


def _store(root: Path) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gongkai"
    name = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:20]
    return cache / f"last-clean-{name}.json"


def _recall(store: Path) -> Remembered:
    try:
        raw = json.loads(store.read_text(encoding="utf-8"))
        return {Path(path): (stamp, {tuple(key): value for key, value in values})
                for path, (stamp, values) in raw.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}  # none yet, or damaged: the next clean check writes it again


def _remember(store: Path, remembered: Remembered) -> None:
    raw: dict[str, Any] = {str(path): [stamp, [[list(key), value] for key, value in values.items()]]
                           for path, (stamp, values) in remembered.items()}
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        partial = store.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, store)
    except OSError:
        pass  # a read-only home: checks still work, with the guess
