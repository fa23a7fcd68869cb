"""Keys for the embedded default, generated once into the data folder."""

import base64
import os
import secrets
from pathlib import Path


def load_or_create_key(path: Path, *, length: int) -> str:
    """Return the key stored at ``path``, creating it (mode 0600) if absent.

    The key is url-safe base64 of ``length`` random bytes. Creation uses
    O_EXCL so two processes starting at once agree on one key.
    """
    path = Path(path)
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = base64.urlsafe_b64encode(secrets.token_bytes(length)).decode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
