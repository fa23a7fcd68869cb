"""The language a person chose shows everywhere: dates written her way,
no Chinese punctuation in English, and an icon in the browser's tab."""

import datetime as dt

from django.template import Context, Template
from django.utils import translation

WHEN = dt.datetime(2026, 12, 3, 14, 5)


def _render(source: str, language: str) -> str:
    with translation.override(language):
        return Template("{% load i18n dates %}" + source).render(
            Context({"when": WHEN, "items": ["甲", "乙"]})
        )


def test_a_day_is_written_in_the_readers_language():
    assert _render("{{ when|day }}", "zh-hans") == "12月3日"
    assert _render("{{ when|day }}", "en") == "December 3"
    assert _render('{{ when|day:"H:i" }}', "en") == "December 3 14:05"
    assert _render('{{ when|date:"DATE_FORMAT" }}', "zh-hans") == "2026年12月3日"


def test_list_separators_follow_the_language():
    source = (
        "{% for i in items %}{{ i }}{% if not forloop.last %}"
        '{% translate ", " context "list separator" %}{% endif %}{% endfor %}'
    )
    assert _render(source, "zh-hans") == "甲、乙"
    assert _render(source, "en") == "甲, 乙"


def test_no_template_writes_a_chinese_date_format():
    from pathlib import Path

    import gongzhi

    root = Path(gongzhi.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("templates/**/*.html")
        if 'date:"n月' in path.read_text() or 'date:"Y年' in path.read_text()
    ]
    assert offenders == []


def test_the_favicon_is_linked_and_served(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
