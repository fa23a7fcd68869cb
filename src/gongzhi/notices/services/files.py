"""Checking a notice's attachment: its content must be what its name and
type claim (a PDF that starts as a PDF, a Word file that is a Word
package), within the size limit. The uploaded name is kept for display
only; the stored file gets a name of our own."""

from __future__ import annotations

import zipfile

from django.utils.translation import gettext as _

from gongzhi.core.errors import ValidationFailed

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_FILES = 9

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Extension -> (MIME type, how its content must begin or what it holds).
KINDS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "txt": "text/plain",
}
_OOXML_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _is(extension: str, upload) -> bool:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in ("doc", "xls"):
        return head == OLE
    if extension in _OOXML_PART:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as package:
                names = package.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            upload.seek(0)
        return "[Content_Types].xml" in names and any(
            n.startswith(_OOXML_PART[extension]) for n in names
        )
    if extension == "txt":
        data = upload.read(64 * 1024)
        upload.seek(0)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in data
    return False


def attachment_check(upload, *, field: str = "attachments") -> tuple[str, str]:
    """The extension and MIME type to store an attachment under, after
    checking its size and that its content is what it claims."""
    name = getattr(upload, "name", "") or _("attachment")
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(
            _("“%(name)s” is larger than %(max)d MB.")
            % {"name": name, "max": MAX_ATTACHMENT_BYTES // (1024 * 1024)},
            field=field,
        )
    extension = _extension(name)
    if extension not in KINDS:
        raise ValidationFailed(
            _("“%(name)s” is not a PDF, Word, Excel, PowerPoint or text file.")
            % {"name": name},
            field=field,
        )
    claimed = (getattr(upload, "content_type", "") or "").split(";")[0].strip()
    generic = {"", "application/octet-stream"}
    if claimed not in generic and claimed != KINDS[extension]:
        raise ValidationFailed(
            _("“%(name)s” is sent as %(type)s, which is not what its name says.")
            % {"name": name, "type": claimed},
            field=field,
        )
    if not _is(extension, upload):
        raise ValidationFailed(
            _(
                "“%(name)s” is not what it claims to be: "
                "its content is not a %(ext)s file."
            )
            % {"name": name, "ext": extension.upper()},
            field=field,
        )
    return extension, KINDS[extension]
