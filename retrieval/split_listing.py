"""A folder root's quick listing shared with a second process.

Listing a million passages' article files is ~150,000 ``lstat`` calls and the Python loop around them
(~0.45 s, half of it in the kernel). The early listing's child (:mod:`retrieval.early_listing`) lists the
root's own entries, forks once more and lets that process walk every other subfolder of the root while it
walks the rest; the two halves are then put back in sorted path order. The result is exactly the
sequential listing's: the same runs in the same order, the same folders' digests and the same listing
digest (each subtree's digest input is recorded as it is made and fed to the digest in order, which is
what hashing it in one pass would have read).

Only for a process that holds no other thread (a fork copies just the calling thread). Anything the
second process does not deliver (it failed, was killed, or sent something unreadable) is listed here; what
it found that only the full listing handles (a link, a hard link, a folder reached twice) is reported like
the same find here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
from dataclasses import dataclass, field

from .listing import Pending, Tree, Unlisted, visit, walk

log = logging.getLogger(__name__)


class _Recorder:
    """Stands in for the listing's digest while a subtree is walked: keeps what it was fed, in order."""

    __slots__ = ("chunks",)

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def update(self, data: bytes) -> None:
        self.chunks.append(data)


@dataclass(slots=True)
class _Subtree:
    """One subfolder of the root, walked on its own: its runs, its folders' digests and identities, and what
    it fed the listing's digest."""

    runs: list = field(default_factory=list)
    folder_digests: dict[str, str] = field(default_factory=dict)
    folders: set[tuple[int, int]] = field(default_factory=set)
    chunks: list[bytes] = field(default_factory=list)


def _walk_one(tree: Tree, item: Pending) -> _Subtree:
    """Walk one subfolder of the root into a :class:`_Subtree` of its own (``tree`` gives the prefix and
    the file roots; the folders seen before it count as seen)."""
    recorder = _Recorder()
    own = Tree(tree.prefix, set(tree.folders), tree.file_roots, recorder, [], {})
    walk(own, [item])
    return _Subtree(own.runs, own.folder_digests, own.folders - tree.folders, recorder.chunks)


def _walk_many(tree: Tree, items: list[Pending]) -> list[_Subtree] | None:
    """Each subfolder walked on its own; None when one holds what only the full listing handles."""
    try:
        return [_walk_one(tree, item) for item in items]
    except Unlisted:
        return None


def walk_split(tree: Tree, root: str, root_stat: os.stat_result) -> None:
    """List the folder ``root`` into ``tree`` as :func:`retrieval.listing.walk` does, every other subfolder
    of it walked by a forked process."""
    pending = visit(tree, root, "", root_stat)
    subfolders = [number for number, item in enumerate(pending) if isinstance(item[2], os.stat_result)]
    theirs = subfolders[1::2]
    started = _start(tree, [pending[number] for number in theirs]) if len(subfolders) > 1 else None
    ours = dict(zip(subfolders[0::2], _walk_many(tree, [pending[n] for n in subfolders[0::2]]) or [], strict=False))
    if len(ours) < len(subfolders[0::2]):
        if started is not None:
            _stop(started)
        raise Unlisted
    delivered = _receive(started) if started is not None else None
    if started is not None and delivered is False:
        raise Unlisted
    if not isinstance(delivered, list) or len(delivered) != len(theirs):  # not started, or failed: list them here
        delivered = _walk_many(tree, [pending[number] for number in theirs])
        if delivered is None:
            raise Unlisted
    ours.update(zip(theirs, delivered, strict=True))
    for number, item in enumerate(pending):
        subtree = ours.get(number)
        if subtree is None:  # a run of the root's files
            tree.runs.append((item[0], item[1], *item[2]))
            continue
        if subtree.folders & tree.folders:  # a folder reached twice (a bind mount)
            raise Unlisted
        tree.folders |= subtree.folders
        for chunk in subtree.chunks:
            tree.digest.update(chunk)
        tree.runs.extend(subtree.runs)
        tree.folder_digests.update(subtree.folder_digests)


def _start(tree: Tree, items: list[Pending]) -> tuple[int, int] | None:
    """Fork a process walking ``items``; its pid and the read end of its pipe (None if it cannot be forked)."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the second process: walk, send (False: only the full listing handles it), leave
        status = 1
        try:
            os.close(read_end)
            found = _walk_many(tree, items)
            with open(write_end, "wb") as pipe:
                pipe.write(pickle.dumps(False if found is None else found, protocol=pickle.HIGHEST_PROTOCOL))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _receive(started: tuple[int, int]) -> list[_Subtree] | bool | None:
    """What the second process sent (None if it failed or sent something unreadable); it is reaped."""
    pid, pipe = started
    with open(pipe, "rb") as reader:
        data = reader.read()
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        log.debug("the second listing process ended with status %d: listing its folders here", status)
        return None
    try:
        found = pickle.loads(data)
    except Exception:
        log.debug("the second listing process sent something unreadable: listing its folders here", exc_info=True)
        return None
    return found if found is False or isinstance(found, list) else None


def _stop(started: tuple[int, int]) -> None:
    """End the second process (our own child, by its pid) and reap it."""
    pid, pipe = started
    os.close(pipe)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, 9)
    os.waitpid(pid, 0)
