"""The ``.qdpx`` container: a zip with a ``.qde`` project file and a ``sources/`` folder.

Reading never extracts anything to disk and reads only the members it is asked for. Before
a member is read, its name and sizes are checked: names that climb out of the archive
(``../``, absolute paths, drive letters) and sizes or compression ratios that only a zip
bomb has are refused with a one-line error. Writing is deterministic (fixed member order
and timestamps), so an unchanged project exports byte for byte the same file.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from qcode.files import atomic_output
from qcode.refi.xml import RefiError

MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_MEMBERS = 100_000
# Text and XML compress about 3-10 times; a ratio far beyond that on a large member is a bomb.
MAX_RATIO = 200
RATIO_CHECK_FROM = 1024 * 1024
FIXED_TIME = (2000, 1, 1, 0, 0, 0)


class QdpxArchive:
    """An open ``.qdpx`` file whose member names and sizes have been checked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.source = str(path)
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise RefiError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise RefiError(f"{path}: is a folder; name a .qdpx file") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise RefiError(
                f"{path}: not a REFI-QDA project (.qdpx is a zip archive: {exc}); export it "
                "again from the program that made it"
            ) from None
        self._members = {info.filename: info for info in self._zip.infolist()}
        try:
            self._check_members()
        except RefiError:
            self._zip.close()
            raise
        # Member names are compared without case: exporters write Sources/ or sources/.
        self._by_folded = {name.casefold(): name for name in self._members}

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> QdpxArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check_members(self) -> None:
        infos = list(self._members.values())
        if len(infos) > MAX_MEMBERS:
            raise RefiError(f"{self.source}: refused: {len(infos)} files in the archive")
        total = 0
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if (name.startswith(("/", "\\")) or ".." in parts
                    or (parts and len(parts[0]) == 2 and parts[0][1] == ":")):
                raise RefiError(
                    f"{self.source}: refused: the archive member '{name}' points outside the "
                    "archive; this is not a file a QDA program writes"
                )
            if info.file_size > MAX_MEMBER_BYTES:
                raise RefiError(
                    f"{self.source}: refused: '{name}' would unpack to {info.file_size} bytes "
                    f"(more than {MAX_MEMBER_BYTES // 2**20} MiB)"
                )
            if (info.file_size > RATIO_CHECK_FROM
                    and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
                raise RefiError(
                    f"{self.source}: refused: '{name}' is compressed {info.file_size} to "
                    f"{info.compress_size} bytes, as only a zip bomb is"
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise RefiError(
                f"{self.source}: refused: the archive would unpack to {total} bytes "
                f"(more than {MAX_TOTAL_BYTES // 2**30} GiB)"
            )

    def project_member(self) -> str:
        """The ``.qde`` project file: ``project.qde`` if present, else the only ``*.qde``."""
        qde = [n for n in self._members if n.casefold().endswith(".qde") and not n.endswith("/")]
        preferred = [n for n in qde if PurePosixPath(n).name.casefold() == "project.qde"]
        if len(preferred) == 1:
            return preferred[0]
        if len(qde) == 1:
            return qde[0]
        if not qde:
            raise RefiError(
                f"{self.source}: no .qde project file in the archive; this is not a REFI-QDA "
                "project export"
            )
        raise RefiError(
            f"{self.source}: {len(qde)} .qde files in the archive ({', '.join(sorted(qde))}) "
            "and none is project.qde; export the project again"
        )

    def find(self, name: str) -> str | None:
        """The member called ``name`` (compared without case), if there is one."""
        return self._by_folded.get(name.casefold())

    def read(self, name: str) -> bytes:
        """A member's bytes, never more than its header declares (a lying header is refused)."""
        info = self._members[name]
        try:
            with self._zip.open(info) as handle:
                raw = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise RefiError(f"{self.source}: cannot read '{name}' from the archive ({exc})"
                            ) from None
        if len(raw) > info.file_size:
            raise RefiError(
                f"{self.source}: refused: '{name}' unpacks to more bytes than it declares"
            )
        return raw


def write_qdpx(path: Path, members: Iterable[tuple[str, bytes]]) -> None:
    """Write the members (name, bytes) in the given order, with fixed timestamps, all at
    once or not at all (:func:`qcode.files.atomic_output`)."""
    with atomic_output(path) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
