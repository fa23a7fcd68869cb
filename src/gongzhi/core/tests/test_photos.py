"""A photo is checked by what it is, not by what its name says."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from gongzhi.core import photos
from gongzhi.core.errors import ValidationFailed


def png(name="a.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


def test_a_real_photo_is_stored_under_the_extension_of_its_format():
    assert photos.photo_check(png("holiday.jpg")) == "png"


def test_a_file_that_is_no_photo_is_refused_naming_the_field():
    fake = SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")
    with pytest.raises(ValidationFailed) as refused:
        photos.photo_check(fake, field="photo")
    assert refused.value.field == "photo"
    assert "a.jpg" in str(refused.value.message)


def test_a_photo_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 10)
    with pytest.raises(ValidationFailed) as refused:
        photos.photo_check(png())
    assert refused.value.field == "photos"


def test_no_stored_photo_answers_404():
    with pytest.raises(Http404):
        photos.photo_file_response(None)
