"""The rescan's quick listing: every article file's (inode, size, modification time) and their digest.

A rescan must find files added, removed and changed in place (same size, a new modification time; the
folder's own modification time is not touched by a write into a file), so every file is ``stat``-ed:
no filesystem's folder times can stand in for that. What a rescan can skip is everything after the
stats: reading the store's row of every file and comparing them one by one. After an ingest that left
every listed file stored (or remembered as unusable), the store keeps the digest of the listing it
then reflects; a later rescan whose listing has the same digest has nothing to read, add or remove.

The quick listing models the plain case exactly (real folders, regular files) and gives up, returning
None, wherever :func:`retrieval.ingest.discover` has rules of its own: a symbolic link anywhere, a
file with several hard links, a folder reached twice (a bind mount, overlapping roots), a folder that
cannot be listed, a root that does not exist. The rescan then takes the full path, as before.
"""

from __future__ import annotations

import hashlib
import os
import stat as stat_module
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .parsing import ARTICLE_SUFFIXES

DIGEST_FORMAT = "listing-1"
"""Changes whenever what the digest covers changes, so an old stored digest never matches."""
IGNORED_NAMES = ("readme", "license", "licence", "changelog", "contributing")
"""Files whose names start with these (any case) are never articles."""


_File = tuple[str, int, int, int]
"""A listed file: (name, inode, size, modification time in ns)."""


class ListedFile(NamedTuple):
    """An article file as listed: the store's key, the name reports use, size and modification time."""

    key: str
    display: str
    size: int
    mtime_ns: int


_Run = ListedFile | tuple[str, str, list[_File]]
"""A root that is a file, or a run of files of one folder: (folder path ending in "/", display prefix, files)."""


@dataclass(frozen=True, slots=True)
class QuickListing:
    """The article files under the roots, as runs of files of one folder in sorted path order, and the
    listing's digest. Files are made into :class:`ListedFile` only when asked for (a rescan whose
    digest matches never does)."""

    runs: list[_Run]
    """In the order sorted paths have: runs of files of one folder, and the roots that are files."""
    digest: str

    def __len__(self) -> int:
        return sum(1 if isinstance(run, ListedFile) else len(run[2]) for run in self.runs)

    def files(self) -> Iterator[ListedFile]:
        """Every file, sorted like sorted paths within each root, roots in the order given."""
        for run in self.runs:
            if isinstance(run, ListedFile):
                yield run
                continue
            folder, display, files = run
            for name, _inode, size, mtime_ns in files:
                yield ListedFile(folder + name, display + name, size, mtime_ns)

    def displays(self) -> list[str]:
        """Every file's display name, in the same order."""
        displays: list[str] = []
        for run in self.runs:
            if isinstance(run, ListedFile):
                displays.append(run.display)
            else:
                prefix = run[1]
                displays.extend([prefix + file[0] for file in run[2]])
        return displays


def is_article_name(name: str) -> bool:
    """An article file's name: a known suffix (any case), not a README or licence."""
    lower = name.lower()
    return lower[lower.rfind(".") :] in ARTICLE_SUFFIXES and not lower.startswith(IGNORED_NAMES)


class _Unlisted(Exception):
    """The tree holds something only the full listing handles (see the module's docstring)."""


def quick_listing(roots: Sequence[Path]) -> QuickListing | None:
    """List and ``stat`` the article files under ``roots`` (files or folders), or None where the tree
    needs the full listing. The digest covers each root, each folder's identity and, per file, its
    name, inode, size and modification time in nanoseconds."""
    try:
        return _list(roots)
    except _Unlisted:
        return None


def _list(roots: Sequence[Path]) -> QuickListing:
    resolved_roots: list[tuple[Path, str, os.stat_result]] = []
    file_roots: set[tuple[int, int]] = set()
    for given in roots:
        root = Path(given).expanduser()
        try:
            resolved = str(root.resolve(strict=True))
            root_stat = os.stat(resolved)
        except (OSError, RuntimeError) as error:  # missing, or a link loop: the full listing reports it
            raise _Unlisted from error
        if stat_module.S_ISREG(root_stat.st_mode):
            identity = (root_stat.st_dev, root_stat.st_ino)
            if root_stat.st_nlink > 1 or identity in file_roots:  # one path per file: the full listing's rules
                raise _Unlisted
            file_roots.add(identity)
        elif not stat_module.S_ISDIR(root_stat.st_mode):
            raise _Unlisted
        resolved_roots.append((root, resolved, root_stat))
    digest = hashlib.blake2b(DIGEST_FORMAT.encode(), digest_size=20)
    runs: list[_Run] = []
    folders: set[tuple[int, int]] = set()
    for number, (root, resolved, root_stat) in enumerate(resolved_roots):
        digest.update(_encode(f"\nR\0{number}\0{resolved}\0{root.name}"))
        if stat_module.S_ISREG(root_stat.st_mode):
            digest.update(_encode(repr((root_stat.st_ino, root_stat.st_size, root_stat.st_mtime_ns))))
            runs.append(ListedFile(resolved, root.name, root_stat.st_size, root_stat.st_mtime_ns))
        else:
            _walk(resolved, root.name, root_stat, folders, file_roots, digest, runs)
    return QuickListing(runs, digest.hexdigest())


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _walk(
    root: str, prefix: str, root_stat: os.stat_result, folders: set[tuple[int, int]],
    file_roots: set[tuple[int, int]], digest: Any, runs: list[_Run],
) -> None:
    """List the folder ``root`` and every folder below it into ``runs``, in sorted path order (so the
    digest does not depend on the order a filesystem lists entries in); hidden entries and non-article
    files are left out, as :func:`retrieval.ingest.discover` leaves them out."""
    # a folder to list: (path, path relative to the root, stat); or a run of files already listed
    stack: list[tuple[str, str, os.stat_result] | tuple[str, str, list[_File]]] = [(root, "", root_stat)]
    while stack:
        directory, relative, item = stack.pop()
        if isinstance(item, list):  # a run of files, in its place among the subfolders
            runs.append((directory, relative, item))
            continue
        identity = (item.st_dev, item.st_ino)
        if identity in folders:  # a bind mount, or roots that overlap
            raise _Unlisted
        folders.add(identity)
        try:
            entries = list(os.scandir(directory))
        except OSError as error:
            raise _Unlisted from error
        folder_rel = f"{relative}/" if relative else ""
        files: list[_File] = []
        subfolders: list[tuple[str, str, os.stat_result]] = []
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            if entry.is_file(follow_symlinks=False):  # the common case first
                lower = name.lower()
                if lower[lower.rfind(".") :] not in ARTICLE_SUFFIXES or lower.startswith(IGNORED_NAMES):
                    continue
                try:
                    stat = entry.stat(follow_symlinks=False)
                except OSError:  # removed while listed: gone, as for the full listing
                    continue
                if stat.st_nlink > 1 or (file_roots and (stat.st_dev, stat.st_ino) in file_roots):
                    raise _Unlisted  # hard links, or a file also given as a root: one path per file
                files.append((name, stat.st_ino, stat.st_size, stat.st_mtime_ns))
            elif entry.is_dir(follow_symlinks=False):
                try:
                    subfolders.append((name, entry.path, entry.stat(follow_symlinks=False)))
                except OSError:
                    continue
            elif entry.is_symlink():
                raise _Unlisted
        files.sort()  # names are unique in a folder: only they are compared
        digest.update(_encode(f"\nD\0{relative}\0{identity}\0{files!r}"))
        base = directory if directory.endswith("/") else f"{directory}/"
        display = f"{prefix}/{folder_rel}"
        if not subfolders:
            if files:
                runs.append((base, display, files))
            continue
        # files and subfolders in sorted name order: the order of sorted paths ("a" < "a.json" < "b")
        subfolders.sort()
        pending: list = []
        run: list[_File] = []
        position = 0
        for name, path, folder_stat in subfolders:
            while position < len(files) and files[position][0] < name:
                run.append(files[position])
                position += 1
            if run:
                pending.append((base, display, run))
                run = []
            pending.append((path, folder_rel + name, folder_stat))
        if position < len(files):
            pending.append((base, display, files[position:]))
        stack.extend(reversed(pending))
