"""Uniform, read-only access to an input: a single file, stdin, an extracted folder or a zip.

Nothing is ever extracted to disk: zip members are streamed. Members with absolute or ``..`` names are
ignored, and members that would inflate past ``MAX_MEMBER_BYTES`` or ``MAX_COMPRESSION_RATIO`` are refused
(zip bombs).
"""

from __future__ import annotations

import os
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Iterator

from netral_scan.errors import FeedError

MAX_MEMBER_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 10 * 1024**2  # small members may compress well for honest reasons
STDIN_NAME = "-"


class Archive:
    """A named set of members that can be opened for binary reading."""

    def __init__(self, name: str, single_file: bool):
        self.name = name
        self.single_file = single_file

    def members(self) -> list[str]:
        raise NotImplementedError

    def unsafe_members(self) -> list[str]:
        """Members that are ignored because their names are absolute or climb out with ``..``."""
        return []

    def open(self, member: str) -> BinaryIO:
        raise NotImplementedError

    def display(self, member: str) -> str:
        """How a member is named in messages and in the ``source`` column."""
        return self.name if self.single_file else f"{self.name}/{member}"


class FileArchive(Archive):
    def __init__(self, path: str):
        super().__init__(path, single_file=True)
        self.path = path

    def members(self) -> list[str]:
        return [os.path.basename(self.path)]

    def open(self, member: str) -> BinaryIO:
        return open(self.path, "rb")


class StdinArchive(Archive):
    def __init__(self):
        super().__init__(STDIN_NAME, single_file=True)

    def members(self) -> list[str]:
        return [STDIN_NAME]

    def open(self, member: str) -> BinaryIO:
        return sys.stdin.buffer


class FolderArchive(Archive):
    def __init__(self, path: str):
        super().__init__(path, single_file=False)
        self.root = Path(path)

    def members(self) -> list[str]:
        found = []
        for folder, _, files in os.walk(self.root):
            for name in files:
                found.append((Path(folder) / name).relative_to(self.root).as_posix())
        return sorted(found)

    def open(self, member: str) -> BinaryIO:
        return open(self.root / member, "rb")


class ZipArchive(Archive):
    def __init__(self, path: str, zip_file: zipfile.ZipFile):
        super().__init__(path, single_file=False)
        self.zip = zip_file
        infos = [info for info in zip_file.infolist() if not info.is_dir()]
        self._infos = {info.filename: info for info in infos if _safe_member(info)}
        self._unsafe = sorted(info.filename for info in infos if not _safe_member(info))

    def members(self) -> list[str]:
        return sorted(self._infos)

    def unsafe_members(self) -> list[str]:
        return self._unsafe

    def open(self, member: str) -> BinaryIO:
        info = self._infos[member]
        if info.file_size > MAX_MEMBER_BYTES:
            raise FeedError(self.display(member), f"zip member inflates to {info.file_size} bytes, over the "
                            f"{MAX_MEMBER_BYTES} byte limit (possible zip bomb)")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise FeedError(self.display(member), f"zip member compression ratio {ratio:.0f}:1 is over the "
                            f"{MAX_COMPRESSION_RATIO}:1 limit (possible zip bomb)")
        try:
            return self.zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as error:
            raise FeedError(self.display(member), f"cannot read zip member ({error})") from None


def _safe_member(info: zipfile.ZipInfo) -> bool:
    name = PurePosixPath(info.filename.replace("\\", "/"))
    return not (name.is_absolute() or ".." in name.parts or ":" in info.filename)


@contextmanager
def open_archive(path: str) -> Iterator[Archive]:
    """Open ``path`` (or ``-`` for stdin) as an archive; raise :class:`FeedError` if it cannot be read."""
    if path == STDIN_NAME:
        yield StdinArchive()
        return
    if os.path.isdir(path):
        yield FolderArchive(path)
        return
    if not os.path.exists(path):
        raise FeedError(path, "no such file or directory")
    if not os.access(path, os.R_OK):
        raise FeedError(path, "permission denied")
    if zipfile.is_zipfile(path) or path.lower().endswith(".zip"):
        try:
            zip_file = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise FeedError(path, f"not a readable zip archive ({error})") from None
        with zip_file:
            yield ZipArchive(path, zip_file)
        return
    yield FileArchive(path)
