"""The rescan's quick listing: every article file's (inode, size, modification time) and their digest.

A rescan must find files added, removed and changed in place (same size, a new modification time; the
folder's own modification time is not touched by a write into a file), so every file is ``stat``-ed:
no filesystem's folder times can stand in for that. What a rescan can skip is everything after the
stats: reading the store's row of every file and comparing them one by one. After an ingest that left
every listed file stored (or remembered as unusable), the store keeps the digest of the listing it
then reflects; a later rescan whose listing has the same digest has nothing to read, add or remove.
With it the store keeps each folder's own digest (:meth:`QuickListing.record`), so a rescan whose
digest differs compares the stored rows of the changed and gone folders only (:func:`changed_folders`).

The quick listing models the plain case exactly (real folders, regular files) and gives up, returning
None, wherever :func:`retrieval.ingest.discover` has rules of its own: a symbolic link anywhere, a
file with several hard links, a folder reached twice (a bind mount, overlapping roots), a folder that
cannot be listed, a root that does not exist. The rescan then takes the full path, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat as stat_module
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".yaml", ".yml"})
"""The suffixes (any case) of article files; here rather than in :mod:`retrieval.parsing` so that listing
files never imports the parsers."""
DIGEST_FORMAT = f"listing-2-pickle-{sys.version_info[0]}.{sys.version_info[1]}"
"""Changes whenever what the digest covers changes, so an old stored digest never matches. The files of a
folder are hashed as their pickle (a C-speed, self-delimiting encoding); a Python whose pickles could
differ makes another format, so the worst a new Python costs is one rescan that compares every file."""
_PICKLE = 5
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


_Run = ListedFile | tuple[str, str, int, bytes]
"""A root that is a file, or a run of files of one folder: (folder path ending in "/", display prefix,
number of files, the pickled list of the files in name order). Pickled, the listing is cheap to hash and
to hand from the process that lists to the one that uses it; it is unpickled only when files are asked for."""


@dataclass(frozen=True, slots=True)
class QuickListing:
    """The article files under the roots, as runs of files of one folder in sorted path order, and the
    listing's digest. Files are made into :class:`ListedFile` only when asked for (a rescan whose
    digest matches never does)."""

    runs: list[_Run]
    """In the order sorted paths have: runs of files of one folder, and the roots that are files."""
    digest: str
    folders: dict[str, str] = field(default_factory=dict)
    """Each listed folder's own digest (its identity and its files, not its subfolders), by its path
    ending in "/": a rescan whose digest differs compares the stored rows of changed folders only."""
    roots: tuple[str, ...] = ()
    """The roots, resolved."""

    def record(self) -> str:
        """What the store keeps once it reflects this listing: the digest, then (roots all folders, and
        not too many of them) the roots and every folder's digest, so that a later listing with the same
        roots can tell which folders changed (see :func:`changed_folders`)."""
        if len(self.folders) > MAX_RECORDED_FOLDERS or any(isinstance(run, ListedFile) for run in self.runs):
            return self.digest
        return f"{self.digest}\n{json.dumps({'roots': self.roots, 'folders': self.folders})}"

    def __len__(self) -> int:
        return sum(1 if isinstance(run, ListedFile) else run[2] for run in self.runs)

    def files(self, folders: Callable[[str], bool] | None = None) -> Iterator[ListedFile]:
        """Every file (or those of the folders ``folders`` accepts), sorted like sorted paths within each
        root, roots in the order given."""
        for run in self.runs:
            if isinstance(run, ListedFile):
                if folders is None:
                    yield run
                continue
            folder, display, _, files = run
            if folders is None or folders(folder):
                for name, _inode, size, mtime_ns in pickle.loads(files):
                    yield ListedFile(folder + name, display + name, size, mtime_ns)

    def displays(self, folders: Callable[[str], bool] | None = None) -> list[str]:
        """Every file's display name (or those of the folders ``folders`` accepts), in the same order."""
        displays: list[str] = []
        for run in self.runs:
            if isinstance(run, ListedFile):
                if folders is None:
                    displays.append(run.display)
            elif folders is None or folders(run[0]):
                prefix = run[1]
                displays.extend([prefix + file[0] for file in pickle.loads(run[3])])
        return displays


MAX_RECORDED_FOLDERS = 20_000
"""A listing of more folders records its digest only (the record is read by every rescan)."""


def recorded_digest(record: str | None) -> str | None:
    """The listing digest of a record kept by the store (see :meth:`QuickListing.record`)."""
    return None if record is None else record.partition("\n")[0]


@dataclass(frozen=True, slots=True)
class FolderChanges:
    """What differs between a listing and the recorded one of the same roots, folder by folder."""

    changed: frozenset[str]
    """Folders listed now whose digest differs from the recorded one, or that were not recorded."""
    gone: frozenset[str]
    """Folders recorded and no longer listed."""


def changed_folders(listing: QuickListing, record: str | None) -> FolderChanges | None:
    """The folders of ``listing`` that differ from the listing the store reflects (``record``), or None
    when the record cannot tell (none kept, other roots, a root that is a file, an unreadable record).

    Sound because a record is kept only while the store reflects its listing exactly: every stored file
    below the roots is a file of a recorded folder, as listed; a folder with the same digest (the same
    path, identity, and names, inodes, sizes and modification times of its files) holds what is stored."""
    if record is None or "\n" not in record or not listing.folders:
        return None
    try:
        recorded = json.loads(record.partition("\n")[2])
        roots, folders = tuple(recorded["roots"]), recorded["folders"]
    except (ValueError, KeyError, TypeError):
        return None
    if roots != listing.roots or not isinstance(folders, dict):
        return None
    now = listing.folders
    changed = frozenset(folder for folder, digest in now.items() if folders.get(folder) != digest)
    return FolderChanges(changed, frozenset(folder for folder in folders if folder not in now))


def is_article_name(name: str) -> bool:
    """An article file's name: a known suffix (any case), not a README or licence."""
    lower = name.lower()
    return lower[lower.rfind(".") :] in ARTICLE_SUFFIXES and not lower.startswith(IGNORED_NAMES)


def quick_listing(roots: Sequence[Path], *, split: bool = False) -> QuickListing | None:
    """List and ``stat`` the article files under ``roots`` (files or folders), or None where the tree
    needs the full listing. The digest covers each root, each folder's identity and, per file, its
    name, inode, size and modification time in nanoseconds.

    ``split``: a single folder root's subfolders are shared with a forked process (see
    :mod:`retrieval.split_listing`); the listing is the same. Only for a process that holds no other thread."""
    try:
        return _list(roots, split=split)
    except Unlisted:
        return None


def _list(roots: Sequence[Path], *, split: bool = False) -> QuickListing:
    resolved_roots: list[tuple[Path, str, os.stat_result]] = []
    file_roots: set[tuple[int, int]] = set()
    for given in roots:
        root = Path(given).expanduser()
        try:
            resolved = str(root.resolve(strict=True))
            root_stat = os.stat(resolved)
        except (OSError, RuntimeError) as error:  # missing, or a link loop: the full listing reports it
            raise Unlisted from error
        if stat_module.S_ISREG(root_stat.st_mode):
            identity = (root_stat.st_dev, root_stat.st_ino)
            if root_stat.st_nlink > 1 or identity in file_roots:  # one path per file: the full listing's rules
                raise Unlisted
            file_roots.add(identity)
        elif not stat_module.S_ISDIR(root_stat.st_mode):
            raise Unlisted
        resolved_roots.append((root, resolved, root_stat))
    digest = hashlib.blake2b(DIGEST_FORMAT.encode(), digest_size=20)
    runs: list[_Run] = []
    folders: set[tuple[int, int]] = set()
    folder_digests: dict[str, str] = {}
    for number, (root, resolved, root_stat) in enumerate(resolved_roots):
        digest.update(_encode(f"\nR\0{number}\0{resolved}\0{root.name}"))
        if stat_module.S_ISREG(root_stat.st_mode):
            digest.update(_encode(repr((root_stat.st_ino, root_stat.st_size, root_stat.st_mtime_ns))))
            runs.append(ListedFile(resolved, root.name, root_stat.st_size, root_stat.st_mtime_ns))
        elif split and len(resolved_roots) == 1:
            from .split_listing import walk_split

            walk_split(Tree(root.name, folders, file_roots, digest, runs, folder_digests), resolved, root_stat)
        else:
            walk(Tree(root.name, folders, file_roots, digest, runs, folder_digests), [(resolved, "", root_stat)])
    return QuickListing(runs, digest.hexdigest(), folder_digests, tuple(resolved for _, resolved, _ in resolved_roots))


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class Unlisted(Exception):
    """The tree holds something only the full listing handles (see the module's docstring)."""


@dataclass(slots=True)
class Tree:
    """What listing a root's folders adds to: the display prefix (the root's name), the identities of the folders
    and file roots seen, the listing's digest, the runs and the folders' own digests."""

    prefix: str
    folders: set[tuple[int, int]]
    file_roots: set[tuple[int, int]]
    digest: Any
    runs: list[_Run]
    folder_digests: dict[str, str]


Pending = tuple[str, str, os.stat_result | tuple[int, bytes]]
"""A folder still to list (path, path relative to the root, its stat), or a run of files already listed and
hashed, in its place among the subfolders (folder path, display prefix, (number of files, pickled files))."""


def walk(tree: Tree, stack: list[Pending]) -> None:
    """List the folders of ``stack`` (popped from its end) and every folder below them into ``tree``, in sorted
    path order (so the digest does not depend on the order a filesystem lists entries in)."""
    while stack:
        directory, relative, item = stack.pop()
        if isinstance(item, os.stat_result):
            stack.extend(reversed(visit(tree, directory, relative, item)))
        else:  # a run of files, in its place among the subfolders
            tree.runs.append((directory, relative, *item))


def visit(tree: Tree, directory: str, relative: str, item: os.stat_result) -> list[Pending]:
    """List one folder: its files are hashed into the tree's digest and the folder's own, and what comes
    next in sorted path order is returned (runs of its files and its subfolders, interleaved by name). Hidden
    entries and non-article files are left out, as :func:`retrieval.ingest.discover` leaves them out. One
    ``lstat`` an entry, relative to the open folder (no path to build or resolve), and no more Python work a
    file than needed: this loop is the rescan's floor (150,976 files at a million passages)."""
    identity = (item.st_dev, item.st_ino)
    if identity in tree.folders:  # a bind mount, or roots that overlap
        raise Unlisted
    tree.folders.add(identity)
    file_roots = tree.file_roots
    files: list[_File] = []
    subfolders: list[tuple[str, str, os.stat_result]] = []
    is_folder, is_link = stat_module.S_ISDIR, stat_module.S_ISLNK
    try:
        handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise Unlisted from error
    try:
        lstat, add = os.stat, files.append
        for name in os.listdir(handle):
            if name[0] == ".":
                continue
            try:
                stat = lstat(name, dir_fd=handle, follow_symlinks=False)
            except OSError:  # removed while listed: gone, as for the full listing
                continue
            mode = stat.st_mode
            if mode & _FILE_TYPE == stat_module.S_IFREG:  # the common case first
                # "x.txt" needs no more look (it cannot be a README or a licence), others the full rule
                if (name[-4:] not in _PLAIN_TAILS or name[0] in _IGNORED_INITIALS) and not is_article_name(name):
                    continue
                if stat.st_nlink > 1 or (file_roots and (stat.st_dev, stat.st_ino) in file_roots):
                    raise Unlisted  # hard links, or a file also given as a root: one path per file
                add((name, stat.st_ino, stat.st_size, stat.st_mtime_ns))
            elif is_folder(mode):
                subfolders.append((name, f"{directory.rstrip('/')}/{name}", stat))
            elif is_link(mode):
                raise Unlisted
    except OSError as error:  # the folder could not be read to the end
        raise Unlisted from error
    finally:
        os.close(handle)
    files.sort(key=_by_name)  # names are unique in a folder
    base = directory if directory.endswith("/") else f"{directory}/"
    tree.digest.update(_encode(f"\nD\0{relative}\0{identity}\0{len(files)}\0"))
    own = hashlib.blake2b(_encode(f"{DIGEST_FORMAT}\0{base}\0{identity}\0{len(files)}\0"), digest_size=16)
    hashes = (tree.digest, own)
    folder_rel = f"{relative}/" if relative else ""
    display = f"{tree.prefix}/{folder_rel}"
    pending: list[Pending] = []
    if not subfolders:
        if files:
            tree.runs.append((base, display, *_packed(files, hashes)))
        tree.folder_digests[base] = own.hexdigest()
        return pending
    # files and subfolders in sorted name order: the order of sorted paths ("a" < "a.json" < "b")
    subfolders.sort()
    start = position = 0
    for name, path, folder_stat in subfolders:
        while position < len(files) and files[position][0] < name:
            position += 1
        if position > start:
            pending.append((base, display, _packed(files[start:position], hashes)))
            start = position
        pending.append((path, folder_rel + name, folder_stat))
    if start < len(files):
        pending.append((base, display, _packed(files[start:], hashes)))
    tree.folder_digests[base] = own.hexdigest()
    return pending


_by_name = itemgetter(0)
_FILE_TYPE = 0o170000
"""The file-type bits of ``st_mode`` (what ``stat.S_IFMT`` keeps)."""
_PLAIN_TAILS = frozenset({".txt", ".yml", ".TXT", ".YML"})
"""Names ending so are articles whatever precedes, unless they start like an ignored name."""
_IGNORED_INITIALS = frozenset("".join(name[0] + name[0].upper() for name in IGNORED_NAMES))
assert all(tail.lower() in ARTICLE_SUFFIXES for tail in _PLAIN_TAILS)


def _packed(files: list[_File], hashes: tuple[Any, ...]) -> tuple[int, bytes]:
    """A run of files as it is kept and sent, hashed into each of ``hashes`` (each pickle ends with its
    own stop mark, so consecutive runs hash unambiguously)."""
    packed = pickle.dumps(files, protocol=_PICKLE)
    for digest in hashes:
        digest.update(packed)
    return len(files), packed
