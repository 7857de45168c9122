"""Writing a file the user asked for (a report, the gate's summary): whole or not at all.

In the core, not in a face: the CLI's `triage report` and `triage gate --summary` and the
app's File > Export write through this one function.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path


def write_file(path: str | Path, text: str) -> Path:
    """Write `text` to the file at `path` whole or not at all; return the path written.

    A regular file is written beside itself and renamed over the old one once complete and on
    disk (a full disk, a Ctrl+C or a crash leaves the previous file, never half of one). A
    symlink is followed, so the file it points to is replaced, not the link; a device or a
    pipe (`/dev/stdout`, `<(...)` or a FIFO a pipeline reads) is written in place, never
    replaced by a file. Raises OSError.
    """
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder", str(path))
        with open(target, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        return Path(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(partial, stat.S_IMODE(mode))
        os.replace(partial, target)
    except BaseException:
        try:
            os.unlink(partial)
        except OSError:
            pass
        raise
    return Path(path)
