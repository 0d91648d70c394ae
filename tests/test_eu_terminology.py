"""One set of EU element headings per language (docs/decisions/0018-eu-element-terminology.md).

The generated course about page names every element as the catalogs do: its headings are the catalog's
translations of the one declaration's headings (badge_issuer/elements.py) and its value labels those of
the EU value lists, so the about page, the course pages and the credentials cannot drift apart again.
Each language also keeps one term per element in all its msgstrs, its course specs and the about page's
own prose: the variants the terminology review replaced must not come back, and where the official wording of
a term is known, every msgstr whose msgid names it uses that term.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from badge_issuer import elements
from course_templates import generator
from course_templates.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "microcredential_xblock" / "conf" / "locale"
SPECS = sorted((ROOT / "course_templates" / "specs").glob("*.yaml"))
LANGUAGES = ("it", "el", "es", "pt", "de")
ROW = re.compile(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>')
TAG = re.compile(r"<[^>]+>")

#: Per generated about page: terms it must show and replaced variants it must not.
CORRECTED = {
    "quality-digital-content.de": (
        ["Geschätzter Arbeitsaufwand", "Art der Bewertung", "Das Microcredential", "eines Microcredentials"],
        ["Fiktiver Arbeitsaufwand", "Rechnerischer Arbeitsaufwand", "Art der Prüfung", "Die Microcredential"],
    ),
    "micro-credential-ambassador.pt": (
        [
            "Volume de trabalho estimado",
            "País e região do emitente",
            "Organismo que atribui a credencial",
            "Resultados de aprendizagem",
            "identifica também o aprendente",
        ],
        [
            "Volume de trabalho teórico",
            "emissor",
            "Entidade emissora",
            "Entidade que atribui",
            "esultados da aprendizagem",
            "ormando",
        ],
    ),
    "designing-micro-credentials.it": (
        ["Organismo di rilascio", "Risultati dell'apprendimento", "Livello EQF 5", "Integrazione e combinabilità"],
        ["Ente che rilascia", "risultati di apprendimento", "QEQ", "cumulabilità"],
    ),
    "micro-credential-ambassador.es": (
        ["Organismo que concede la microcredencial", "Resultados del aprendizaje", "fecha de expedición"],
        ["Organismo emisor", "resultados de aprendizaje"],
    ),
    "designing-micro-credentials.el": (
        ["Εποπτεία και επαλήθευση ταυτότητας", "Ενσωμάτωση και σώρευση", "Επίπεδο ΕΠΕΠ 5"],
        ["Επίβλεψη", "επίβλεψη", "EQF", "δυνατότητα συνδυασμού"],
    ),
}

#: Variants that no msgstr, course spec or about-page prose of the language may use (regular expressions).
REPLACED = {
    "de": [
        r"Fiktive",
        r"[Rr]echnerische[rn]? Arbeitsaufwand",
        r"Art der Prüfung",
        r"\b(?:[Dd]ie|[Ee]ine|[Ee]iner|[Dd]er|[Ii]hre|[Zz]ur) Microcredential\b(?![s-])",
        r"Ausstellende Stelle",
    ],
    "it": [
        r"QEQ",
        r"[Rr]isultat[oi]\s+di\s+apprendimento",
        r"[Cc]umulabil",
        r"Ente che rilascia",
        r"Maggiori informazioni",
    ],
    "es": [
        r"[Oo]rganismo emisor",
        r"[Rr]esultados?\s+de\s+aprendizaje",
        r"Más información",
        r"[Ee]lementos normalizados",
    ],
    "pt": [
        r"teóric",
        r"\bemissora?\b",
        r"[Rr]esultados?\s+da\s+aprendizagem",
        r"[Ff]ormand[oa]",
        r"Mais informações",
        r"Elementos-padrão",
        r"[Ee]ntidade que atribui",
    ],
    "el": [
        r"[Εε]πίβλεψ",
        r"(?<!αγγλικά )(?<!\[)EQF",
        r"[Δδ]υνατότητ\w* συνδυασμού",
        r"συνδυαστεί",
        r"Περισσότερες πληροφορίες",
        r"έλεγχος ταυτότητας",
    ],
}


#: Per language, terms whose official wording is known (CELEX 32022H0627(02) Annex I, as ADR 0018 quotes it):
#: every msgstr whose msgid matches the first pattern must match the second.
REQUIRED = {
    "pt": [
        # "Identificação do aprendente"; the type name "Learner" and the "Learner Credential Wallet" app aside.
        (r"^Learners?\b(?! Credential Wallet)|\blearners?\b", r"\b[Aa]prendentes?\b"),
        (r"\b[Ll]earning outcomes?\b", r"\b[Rr]esultados? de aprendizagem\b"),
    ],
}


def _translation(language: str):
    """gettext over the django catalog's .po (the translators' source, not the compiled file)."""
    if language == "en":
        return lambda msgid: msgid
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = {m.id: m.string for m in read_po(handle) if m.id and isinstance(m.id, str)}
    return catalog.__getitem__


def _messages(language: str) -> list[tuple[str, list[str]]]:
    """(msgid, msgstr forms) of every entry of the language's django and djangojs catalogs."""
    messages = []
    for domain in ("django", "djangojs"):
        with (LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
            for message in read_po(handle):
                if message.id:
                    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
                    forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
                    messages.append((msgid, list(forms)))
    return messages


def _msgstrs(language: str) -> list[str]:
    return [form for _, forms in _messages(language) for form in forms]


def _overview(spec_path: Path, tmp_path: Path) -> str:
    root = generator.write_olx(load_spec(spec_path), tmp_path / spec_path.stem)
    return (root / "about" / "overview.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: p.stem)
def test_about_page_headings_are_the_catalog_translation_of_the_declaration(spec_path, tmp_path):
    """Every element the definition states, under its declared heading as the course language's catalog
    translates it; choice values as the catalog translates the EU value list's label."""
    spec = load_spec(spec_path)
    translate = _translation(spec.language)
    rows = [(html.unescape(h), html.unescape(v)) for h, v in ROW.findall(_overview(spec_path, tmp_path))]
    stated = [e for e in elements.ELEMENTS if e.heading and elements.get(spec.definition, e) not in (None, "")]
    assert sorted(heading for heading, _ in rows) == sorted(translate(e.heading) for e in stated)
    shown = dict(rows)
    choices = [e for e in stated if e.options is not None]
    assert choices  # type of assessment and form of participation are mandatory
    for element in choices:
        label = element.options[elements.get(spec.definition, element)].label
        assert shown[translate(element.heading)] == translate(label)
    if spec.language != "en":
        assert not {h for h, _ in rows} & {e.heading for e in stated}, "an English heading in a translated page"


@pytest.mark.parametrize("stem", sorted(CORRECTED))
def test_generated_about_page_shows_the_corrected_terms(stem, tmp_path):
    text = html.unescape(TAG.sub(" ", _overview(SPECS[0].parent / f"{stem}.yaml", tmp_path)))
    required, replaced = CORRECTED[stem]
    assert [t for t in required if t not in text] == []
    assert [t for t in replaced if t in text] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_term_per_element_in_catalogs_specs_and_about_prose(language):
    """The replaced variants appear in no msgstr, course spec or about-page prose of the language."""
    labels = yaml.safe_load((generator.TEMPLATE_DIR / "labels.yaml").read_text(encoding="utf-8"))[language]
    sources = {f"{language} catalogs": "\n".join(_msgstrs(language)), "labels.yaml": "\n".join(labels.values())}
    sources |= {p.name: p.read_text(encoding="utf-8") for p in SPECS if p.name.endswith(f".{language}.yaml")}
    found = [
        (where, match.group(0))
        for pattern in REPLACED[language]
        for where, text in sources.items()
        for match in re.finditer(pattern, text)
    ]
    assert found == []


@pytest.mark.parametrize("language", sorted(REQUIRED))
def test_msgstrs_use_the_official_term_wherever_the_msgid_names_it(language):
    """E.g. in Portuguese every entry about the learner says "aprendente" and every entry about learning
    outcomes "resultado(s) de aprendizagem", as Annex I does."""
    messages = _messages(language)
    for msgid_pattern, term in REQUIRED[language]:
        naming = [(msgid, forms) for msgid, forms in messages if re.search(msgid_pattern, msgid)]
        assert naming, msgid_pattern  # the pattern still finds the entries it is about
        assert [(msgid, form) for msgid, forms in naming for form in forms if not re.search(term, form)] == []


def test_translator_comments_name_each_headings_source():
    """Each declared heading's entry says which Annex I element it renders and where its term comes from."""
    headings = {e.heading for e in elements.ELEMENTS if e.heading}
    for language in LANGUAGES:
        with (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
            comments = {m.id: " ".join(m.user_comments) for m in read_po(handle) if m.id in headings}
        assert set(comments) == headings, language
        for msgid, comment in comments.items():
            assert comment.startswith("Term: CELEX 32022H0627(02) Annex I"), (language, msgid)
            assert f"{language.upper()}: " in comment, (language, msgid)
