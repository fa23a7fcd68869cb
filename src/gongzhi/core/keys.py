"""Keys for the embedded default, generated once into the data folder."""

import base64
import os
import secrets
from pathlib import Path


def private_dir(path: Path) -> Path:
    """``path`` as a folder only its owner may enter (0700): the database
    and the keys in it hold residents' personal data."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner may read (0600), created empty if
    absent: SQLite takes an empty file as a new database, and gives its
    journal and WAL files the same mode."""
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(0o600)
    return path


def load_or_create_key(path: Path, *, length: int) -> str:
    """Return the key stored at ``path``, creating it (mode 0600) if absent.

    The key is url-safe base64 of ``length`` random bytes. Creation uses
    O_EXCL so two processes starting at once agree on one key.
    """
    path = Path(path)
    if path.exists():
        return path.read_text().strip()
    private_dir(path.parent)
    key = base64.urlsafe_b64encode(secrets.token_bytes(length)).decode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
