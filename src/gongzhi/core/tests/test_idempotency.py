"""An idempotency key: checked, and a retry under it answers the first."""

import pytest

from gongzhi.core.errors import ValidationFailed
from gongzhi.core.idempotency import (
    KEY_MAX,
    IdempotencyConflict,
    idempotency_key_clean,
    replay,
)


def test_a_key_is_stripped():
    assert idempotency_key_clean("  abc ") == "abc"


@pytest.mark.parametrize("key", ["", "   ", None, "k" * (KEY_MAX + 1)])
def test_a_missing_or_overlong_key_is_refused_naming_the_field(key):
    with pytest.raises(ValidationFailed) as refused:
        idempotency_key_clean(key)
    assert refused.value.field == "idempotency_key"


class _Row:
    def __init__(self, fingerprint):
        self.fingerprint = fingerprint


class _Rows:
    """A queryset's filter and slice, enough for ``replay``."""

    def __init__(self, rows):
        self.rows = rows

    def filter(self, *, idempotency_key):
        return [row for key, row in self.rows if key == idempotency_key]


def test_a_retry_gets_the_first_row_back_and_another_request_is_refused():
    first = _Row("same")
    rows = _Rows([("k1", first)])
    assert replay(rows, key="k2", fingerprint="same") is None
    assert replay(rows, key="k1", fingerprint="same") is first
    assert first.replayed is True
    with pytest.raises(IdempotencyConflict) as refused:
        replay(rows, key="k1", fingerprint="other")
    assert refused.value.field == "idempotency_key"
