"""Checking an uploaded photo: what every app that takes photos (visits,
requests, goods, activities) refuses alike."""

import warnings

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .errors import ValidationFailed

MAX_PHOTO_BYTES = 8 * 1024 * 1024
# What Pillow reports -> the extension the stored file gets. The uploaded
# name is never used: it may say anything.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
PHOTO_TYPES["gif"] = "image/gif"


def photo_check(upload, *, field: str = "photos") -> str:
    """The extension to store an uploaded photo under, after checking it is
    a real image of an accepted format within the size limit; a refusal
    names ``field``."""
    name = getattr(upload, "name", "") or _("photo")
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationFailed(
            _("“%(name)s” is larger than %(max)d MB.")
            % {"name": name, "max": MAX_PHOTO_BYTES // (1024 * 1024)},
            field=field,
        )
    not_image = ValidationFailed(
        _("“%(name)s” is not a photo (JPEG, PNG, WebP or GIF).") % {"name": name},
        field=field,
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                kind = image.format
                image.verify()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise not_image from None
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise not_image
    return PHOTO_FORMATS[kind]


def photo_file_response(image):
    """The stored photo ``image`` (a file field's value), for views that
    already checked who may see it; 404 when there is none or its file is
    gone. It is private: never cached by anyone but the viewer."""
    if not image:
        raise Http404
    extension = image.name.rsplit(".", 1)[-1].lower()
    try:
        handle = image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type=PHOTO_TYPES.get(extension, "image/jpeg")
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
