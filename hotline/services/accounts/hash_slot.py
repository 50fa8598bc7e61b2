"""At most a few password checks at once on this host, so guessing cannot take its CPUs.

A password check (scrypt, N=2^17) costs about half a second of one CPU and 128 MiB. Each
check holds one of `slots` lock files in the instance folder (`flock`, shared by every
worker process of the host); an attempt that finds them all taken is answered at once
("try again in a second") instead of queueing: a queue would hold the workers that intake
and dispatch need.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def password_check(folder: Path, slots: int) -> Iterator[bool]:
    """Yields True while holding a free slot, False if every slot is taken."""
    for number in range(max(1, slots)):
        fd = os.open(folder / f"password-check-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return
    yield False
