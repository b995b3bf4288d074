"""Control frames between the supervisor and the runner: a JSON header and raw blobs.

A frame is two little-endian u32 lengths (header, payload), the JSON header, and the
payload: the blobs back to back, their lengths in the header's ``blobs``. The runner reads
no blob into its memory (:func:`recv_fds`): each is spliced from the control pipe into a
memfd, in the kernel, and its outputs leave the same way (:func:`send`). The runner forks
every candidate's process from its own memory, so test code, or another solution's code,
input or output read there could be found by a candidate that scans its heap; a memfd it
has closed before its code starts it cannot read.
"""

from __future__ import annotations

import json
import os
import struct

_HEAD = struct.Struct("<II")
_DIRECT = 1 << 20


def send(fd: int, header: dict, *blobs: bytes | int) -> None:
    """Write one frame: a JSON header and raw blobs, lengths in the header.

    A blob is bytes, or a memfd (an int) whose content is spliced onto ``fd``, a pipe, in
    the kernel: the runner sends the programs' outputs that way, never reading them.
    Small byte blobs go out joined in one write; a large one is written as it is.
    """
    sizes = [os.fstat(b).st_size if isinstance(b, int) else len(b) for b in blobs]
    header = dict(header, blobs=sizes)
    head = json.dumps(header, separators=(",", ":")).encode()
    parts, small = [], [_HEAD.pack(len(head), sum(sizes)), head]
    for blob, size in zip(blobs, sizes):
        if not isinstance(blob, int) and size < _DIRECT:
            small.append(blob)
            continue
        parts += [b"".join(small), (blob, size) if isinstance(blob, int) else blob]
        small = []
    parts.append(b"".join(small))
    for part in parts:
        if isinstance(part, tuple):
            memfd, size = part
            at = 0
            while at < size:
                at += os.splice(memfd, fd, size - at, offset_src=at)
            continue
        data = memoryview(part)
        while data:
            data = data[os.write(fd, data):]


def read_exact(fd: int, n: int) -> bytes | None:
    """Exactly ``n`` bytes of ``fd``; ``None`` if it ends first."""
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _splice(fd: int, n: int) -> int | None:
    """Move ``n`` bytes of the pipe ``fd`` into a new memfd (offset 0) without reading them."""
    memfd = os.memfd_create("secret", os.MFD_CLOEXEC)
    left = n
    while left:
        moved = os.splice(fd, memfd, left)
        if not moved:
            os.close(memfd)
            return None
        left -= moved
    os.lseek(memfd, 0, os.SEEK_SET)
    return memfd


def recv(fd: int, every_blob: bool = False) -> tuple[dict, list] | None:
    """Read one frame; ``None`` at end of stream. A secret blob (every blob, with
    ``every_blob``) arrives as a memfd (int)."""
    head = read_exact(fd, _HEAD.size)
    if head is None:
        return None
    hlen, plen = _HEAD.unpack(head)
    header = json.loads(read_exact(fd, hlen) or b"null")
    if header is None:
        return None
    secret = set(header.pop("secret", ()))
    blobs: list = []
    for i, n in enumerate(header.pop("blobs", [])):
        if every_blob or i in secret:
            blob = _splice(fd, n)
        else:
            blob = read_exact(fd, n) if n else b""
        if blob is None:
            for b in blobs:
                if isinstance(b, int):
                    os.close(b)
            return None
        blobs.append(blob)
    return header, blobs


def recv_fds(fd: int) -> tuple[dict, list[int]] | None:
    """A frame whose every blob arrives as a memfd: what the runner reads requests with."""
    return recv(fd, every_blob=True)
