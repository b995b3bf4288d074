"""Control frames between the supervisor and the runner: a JSON header and raw blobs.

A frame is two little-endian u32 lengths (header, payload), the JSON header, and the
payload: the blobs back to back, their lengths in the header's ``blobs``. Blobs whose
indices the header lists in ``secret`` are never read into the runner's memory: they are
spliced from the control pipe into a memfd, in the kernel. The runner forks every
candidate's process from its own memory, so test code read there could be found by a
candidate that scans its heap; a memfd it has closed before its code starts it cannot read.
"""

from __future__ import annotations

import json
import os
import struct

_HEAD = struct.Struct("<II")
_DIRECT = 1 << 20


def send(fd: int, header: dict, *blobs: bytes) -> None:
    """Write one frame: a JSON header and raw byte blobs, lengths in the header.

    Small blobs go out joined in one write; a large one is written as it is, never copied:
    the runner's memory is its slot's, and a reply of 16 MiB outputs joined twice over
    (payload, then frame) cost three times its size.
    """
    header = dict(header, blobs=[len(b) for b in blobs])
    head = json.dumps(header, separators=(",", ":")).encode()
    parts, small = [], [_HEAD.pack(len(head), sum(map(len, blobs))), head]
    for blob in blobs:
        if len(blob) < _DIRECT:
            small.append(blob)
            continue
        parts += [b"".join(small), blob]
        small = []
    parts.append(b"".join(small))
    for part in parts:
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


def recv(fd: int) -> tuple[dict, list] | None:
    """Read one frame; ``None`` at end of stream. A secret blob arrives as a memfd (int)."""
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
        blob = _splice(fd, n) if i in secret else (read_exact(fd, n) if n else b"")
        if blob is None:
            return None
        blobs.append(blob)
    return header, blobs
