"""The five shipped translations are complete, keep every placeholder, and are compiled.

Every msgid of the English source catalogs (``django`` and ``djangojs``) must have a reviewed
(non-empty, non-fuzzy) translation in it, el, es, pt and de whose placeholders and HTML tags are the
msgid's; the .mo files and the JavaScript catalogs that ``scripts/i18n.py compile`` writes must match
the .po files, or the learners see English or stale wording. The checkers take the directories as
arguments so that the last tests can show them failing on broken copies.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "microcredential_xblock" / "conf" / "locale"
JS_DIR = ROOT / "microcredential_xblock" / "blocks" / "public" / "common" / "i18n"
LANGUAGES = ("it", "el", "es", "pt", "de")
DOMAINS = ("django", "djangojs")

#: printf conversions (named or not, ``%%`` included), str.format fields and HTML tags.
PLACEHOLDER = re.compile(
    r"%(?:\([^)]+\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]|\{[^{}\s]*\}|</?[a-zA-Z][^<>]*>"
)
#: Translations that are rightly spelled as the English text (loanwords, file-format names).
SAME_AS_ENGLISH = {
    "it": {"Portfolio", "Online", "Badge (PNG)", "Badge (SVG)", "VC-JWT: %(check)s"},
    "el": {"VC-JWT: %(check)s"},
    "es": {"VC-JWT: %(check)s"},
    "pt": {"Badge (PNG)", "Badge (SVG)", "VC-JWT: %(check)s"},
    "de": {
        *("Portfolio", "Online", "Badge (PNG)", "Badge (SVG)", "Version", "Name", "Region (optional)", "Downloads"),
        "VC-JWT: %(check)s",
    },
}


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _po(locale_dir: Path, language: str, domain: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{domain}.po"


def _placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def _forms(value: str | tuple | list) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def catalog_problems(locale_dir: Path, language: str) -> list[str]:
    """What keeps ``language`` from showing every English source string translated."""
    problems = []
    for domain in DOMAINS:
        source = _read(_po(locale_dir, "en", domain), "en")
        catalog = _read(_po(locale_dir, language, domain), language)
        where = f"{language}/{domain}.po"
        if "Plural-Forms" not in dict(catalog.mime_headers):
            problems.append(f"{where}: no Plural-Forms header")
        for message in source:
            if not message.id:
                continue
            ids = _forms(message.id)
            translated = catalog.get(message.id, message.context)
            if translated is None:
                problems.append(f"{where}: missing msgid {ids[0]!r}")
                continue
            forms = _forms(translated.string)
            if translated.fuzzy:
                problems.append(f"{where}: fuzzy {ids[0]!r}")
            if len(ids) > 1 and len(forms) != catalog.num_plurals:
                problems.append(f"{where}: {ids[0]!r} has {len(forms)} plural forms, not {catalog.num_plurals}")
            if not all(forms):
                problems.append(f"{where}: untranslated {ids[0]!r}")
                continue
            if len(ids) == 1:
                if _placeholders(forms[0]) != _placeholders(ids[0]):
                    problems.append(f"{where}: placeholders of {ids[0]!r} differ in {forms[0]!r}")
                if forms[0] == ids[0] and ids[0] not in SAME_AS_ENGLISH[language]:
                    problems.append(f"{where}: {ids[0]!r} is left in English")
            else:
                allowed = set(_placeholders(ids[0])) | set(_placeholders(ids[1]))
                problems += [
                    f"{where}: plural form {n} of {ids[0]!r} has unknown placeholders in {form!r}"
                    for n, form in enumerate(forms)
                    if not set(_placeholders(form)) <= allowed
                ]
    return problems


def _js_catalog(path: Path) -> dict[str, str]:
    match = re.search(r"var catalog = (\{.*?\});\n", path.read_text(encoding="utf-8"), re.DOTALL)
    assert match, f"{path} does not define the catalog"
    return json.loads(match.group(1))


def compiled_problems(locale_dir: Path, js_dir: Path, language: str) -> list[str]:
    """Compiled files of ``language`` that are missing or differ from a fresh compile of the .po."""
    problems = []
    for domain in DOMAINS:
        po_path = _po(locale_dir, language, domain)
        fresh = io.BytesIO()
        write_mo(fresh, _read(po_path, language))
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.read_bytes() != fresh.getvalue():
            problems.append(f"{language}/{domain}.mo is out of date")
    wanted = {
        m.id: m.string
        for m in _read(_po(locale_dir, language, "djangojs"), language)
        if m.id and m.string and not m.fuzzy
    }
    js_path = js_dir / f"{language}.js"
    if not js_path.exists() or _js_catalog(js_path) != wanted:
        problems.append(f"{js_path.name} is out of date")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_source_string_is_translated_with_its_placeholders(language):
    assert catalog_problems(LOCALE_DIR, language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogs_match_the_po_files(language):
    """`make test` compiles first; run `python scripts/i18n.py compile` after editing a .po."""
    assert compiled_problems(LOCALE_DIR, JS_DIR, language) == []


def test_source_catalogs_are_not_empty():
    """Guards the checks above against passing on an empty English catalog."""
    for domain in DOMAINS:
        assert len([m for m in _read(_po(LOCALE_DIR, "en", domain), "en") if m.id]) > 20


# The checkers must fail on broken catalogs: each case breaks one thing in a copy.


@pytest.fixture
def broken_copy(tmp_path):
    locale_dir, js_dir = tmp_path / "locale", tmp_path / "js"
    shutil.copytree(LOCALE_DIR, locale_dir)
    shutil.copytree(JS_DIR, js_dir)
    return locale_dir, js_dir


def _edit(locale_dir: Path, language: str, domain: str, change) -> str:
    """Apply ``change(catalog, message)`` to the first message with a placeholder; return its msgid."""
    path = _po(locale_dir, language, domain)
    catalog = _read(path, language)
    message = next(m for m in catalog if m.id and isinstance(m.id, str) and "%(" in m.id)
    change(catalog, message)
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())
    return message.id


def _set_string(value: str):
    def change(_catalog, message):
        message.string = value

    return change


def _mark_fuzzy(_catalog, message):
    message.flags.add("fuzzy")


def _delete(catalog, message):
    catalog.delete(message.id, message.context)


def _drop_placeholders(_catalog, message):
    message.string = PLACEHOLDER.sub("", message.string)


def _english(_catalog, message):
    message.string = message.id


@pytest.mark.parametrize(
    ("language", "domain", "change", "expected"),
    [
        ("it", "django", _set_string(""), "untranslated"),
        ("de", "djangojs", _mark_fuzzy, "fuzzy"),
        ("el", "django", _delete, "missing msgid"),
        ("es", "django", _drop_placeholders, "placeholders of"),
        ("pt", "djangojs", _english, "left in English"),
    ],
)
def test_catalog_check_catches_a_broken_copy(broken_copy, language, domain, change, expected):
    locale_dir, _js_dir = broken_copy
    msgid = _edit(locale_dir, language, domain, change)
    problems = catalog_problems(locale_dir, language)
    assert any(expected in problem and repr(msgid) in problem for problem in problems), problems


@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_check_catches_a_po_edited_without_compiling(broken_copy, domain):
    locale_dir, js_dir = broken_copy
    _edit(locale_dir, "pt", domain, _set_string("%(x)s"))
    problems = compiled_problems(locale_dir, js_dir, "pt")
    assert f"pt/{domain}.mo is out of date" in problems
    assert ("pt.js is out of date" in problems) == (domain == "djangojs")


def test_compiled_check_catches_a_missing_mo(broken_copy):
    locale_dir, js_dir = broken_copy
    _po(locale_dir, "el", "django").with_suffix(".mo").unlink()
    assert compiled_problems(locale_dir, js_dir, "el") == ["el/django.mo is out of date"]
