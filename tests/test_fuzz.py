"""Fuzz every XBlock handler and every public and staff view (issue 11): never a 5xx, always an error
the browser can show (JSON with ``error``, or an HTML/text page).

Handlers are found by introspection (methods marked ``_is_xblock_handler`` on both blocks) and views
from the URL resolver of the plugin's URLconf, so handlers and views added later are fuzzed too.
Blocks run under XBlock's ToyRuntime with the real service (models, migrations, issuer keys) as a
learner of the LMS (platform user id, no edit rights) and as the workbench author. Bodies: JSON of
wrong types and shapes, deep nesting, NUL and other control characters, lone surrogates, invalid
UTF-8, form and multipart bodies, wrong methods and content types; huge bodies in their own test.

Each request runs in a savepoint rolled back afterwards (a request of its own, as in production).
Counts per database: ``MICROVET_FUZZ_REPORT=path`` writes them as JSON; ``-s`` prints them.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from webob import Request
from xblock.core import XBlock
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import MemoryIdManager
from xblock.test import toy_runtime

from microcredential_xblock import compat
from microcredential_xblock.blocks.assessment import OutcomeAssessmentXBlock
from microcredential_xblock.blocks.credential import MicroCredentialXBlock
from tests import platform_settings
from tests.service_fixtures import COURSE

pytestmark = [pytest.mark.storage, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent
ASSESSMENT_OLX = (ROOT / "tests" / "data" / "olx" / "assessment-all-kinds.xml").read_text(encoding="utf-8")
_DEMO = etree.parse(str(ROOT / "microcredential_xblock" / "demo" / "olx" / "designing-micro-credentials.xml"))
CREDENTIAL_OLX = etree.tostring(_DEMO.getroot().find("microcredential"))
BLOCKS = {
    "assessment": (OutcomeAssessmentXBlock, ASSESSMENT_OLX),
    "credential": (MicroCredentialXBlock, CREDENTIAL_OLX),
}
#: Examples per handler/view and role: bounded so the suite stays within a few minutes per database.
EXAMPLES = int(os.environ.get("MICROVET_FUZZ_EXAMPLES", "40"))
HUGE = 5 * 1024 * 1024
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no example database on disk (pytest runs with -p no:cacheprovider)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

COUNTS: Counter = Counter()
FAILURES: list[str] = []


def handler_names(cls: type[XBlock]) -> list[str]:
    return sorted(name for name in dir(cls) if getattr(getattr(cls, name, None), "_is_xblock_handler", False))


HANDLERS = [(kind, name) for kind, (cls, _xml) in BLOCKS.items() for name in handler_names(cls)]


# ------------------------------------------------------------------------------------------ strategies

#: Strings that broke something somewhere: NUL, control and bidi characters, lone surrogates,
#: full-width formula signs, markup, huge and numeric-looking text.
NASTY_STRINGS = (
    "",
    "\x00",
    "a\x00b",
    "\x07\x1b[2J",
    "\ud800",
    "\udfff\ud800",
    "\u202e\u2066",
    "\uff1d1+1",
    "=HYPERLINK(1)",
    "</script><script>alert(1)</script>",
    "did:key:\x00",
    "did:web:example.org",
    "NaN",
    "-1e309",
    "9" * 400,
    "x" * 3000,
    "ελλάδα",
    "course-v1:Aurora+MC101+2026",
)
NASTY = st.sampled_from(NASTY_STRINGS)
#: Half the strings are the nasty ones: with a few dozen examples per target each one comes up.
TEXT = st.one_of(NASTY, NASTY, st.text(max_size=40), st.text(st.characters(codec="utf-8"), max_size=10))
#: Keys the handlers read; fuzzing them reaches past the "unknown field" checks.
FIELD_NAMES = st.sampled_from(
    [
        "answers",
        "did",
        "rules_mode",
        "rules_json",
        "rules_simple",
        "content",
        "olx",
        "display_name",
        "max_attempts",
        "weight",
        "show_feedback",
        "microcredential",
        "learning_outcomes",
        "title",
        "eqf_level",
        "ects",
        "hours",
        "image",
        "awarding_body",
        "language",
        "q1",
        "q3",
        "q5",
    ]
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(FIELD_NAMES, TEXT), inner, max_size=4)
    ),
    max_leaves=12,
)


def _json(value) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")


def _form(fields) -> str:
    return urlencode(fields, encoding="utf-8", errors="surrogatepass")


#: Depths around the interpreter's recursion limits and the handlers' size limits; every one of them
#: is also sent to every handler by ``test_handlers_survive_deep_nesting``.
DEPTHS = (3, 600, 1200, 1800, 5000, 60_000)
DEEP_KINDS = ("list", "rules", "object")


def _deep(depth: int, kind: str) -> bytes:
    if kind == "list":
        return ("[" * depth + "]" * depth).encode()
    if kind == "rules":
        return _json({"rules_mode": "advanced", "rules_json": '{"all": [' * depth + "]}" * depth})
    return ('{"answers": ' * depth + "1" + "}" * depth).encode()


BODIES = st.one_of(
    st.dictionaries(FIELD_NAMES, JSON_VALUES, max_size=6).map(_json),
    JSON_VALUES.map(_json),
    st.builds(_deep, st.sampled_from(DEPTHS), st.sampled_from(DEEP_KINDS)),
    st.binary(max_size=300),  # mostly invalid UTF-8
    st.dictionaries(FIELD_NAMES, TEXT, max_size=4).map(lambda d: _form(d).encode()),
    st.just(b""),
)
METHODS = st.sampled_from(["POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "",
    ]
)


# ------------------------------------------------------------------------------------------ checks


def _record(where: str, status: int, detail: str) -> None:
    COUNTS[(where, connection.vendor, "requests")] += 1
    if status >= 500:
        COUNTS[(where, connection.vendor, "5xx")] += 1
        FAILURES.append(detail)


def _check_error_body(status: int, content_type: str, body: bytes, method: str) -> None:
    """A 4xx says what is wrong: JSON with a non-empty ``error``, or an HTML/text page (not for HEAD)."""
    if status < 400 or method == "HEAD":
        return
    if content_type.startswith("application/json"):
        document = json.loads(body)
        assert isinstance(document, dict) and isinstance(document.get("error"), str) and document["error"].strip()
    else:
        assert content_type.startswith(("text/html", "text/plain")) and body.strip(), (status, content_type, body)


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    rows = {f"{where}/{vendor}/{what}": n for (where, vendor, what), n in sorted(COUNTS.items())}
    print("\nfuzz counts:", json.dumps(rows, indent=1), "\n5xx:", FAILURES[:20])
    if os.environ.get("MICROVET_FUZZ_REPORT"):
        Path(os.environ["MICROVET_FUZZ_REPORT"]).write_text(json.dumps({"counts": rows, "5xx": FAILURES}, indent=1))


@pytest.fixture
def per_request():
    """Run one request in a savepoint that is rolled back: a request of its own, as in production
    (on PostgreSQL an error inside one request must not poison the next)."""

    class Rollback(Exception):
        pass

    def run(call):
        try:
            with transaction.atomic():
                result = call()
                raise Rollback
        except Rollback:
            return result

    return run


# ------------------------------------------------------------------------------------------ XBlock handlers


class FuzzRuntime(toy_runtime.ToyRuntime):
    """ToyRuntime with package resource URLs, no event log, and an optional platform user."""

    def __init__(self, user_id: str, platform_user: bool):
        super().__init__(user_id)
        if platform_user:  # an LMS learner: platform id, e-mail, name; no edit rights
            user = XBlockUser(emails=[f"{user_id}@example.org"], full_name="Fuzz \x00 Learner")
            user.opt_attrs[compat.PLATFORM_USER_ID] = user_id
            service = UserService(user=user)
            service.get_current_user = lambda: user
            self._services["user"] = service

    def local_resource_url(self, block, uri):
        return f"/resource/{block.scope_ids.block_type}/{uri}"

    def publish(self, block, event_type, event_data):
        pass


@pytest.fixture
def blocks(monkeypatch, registered):
    """Both blocks parsed from OLX, seen by an LMS learner and by the workbench author."""
    monkeypatch.setattr(toy_runtime, "TOYRUNTIME_KVS", toy_runtime.ToyRuntimeKeyValueStore({}))
    monkeypatch.setattr(toy_runtime, "ID_MANAGER", MemoryIdManager())
    usages = {kind: FuzzRuntime("author", False).parse_xml_string(xml) for kind, (_cls, xml) in BLOCKS.items()}

    def get(kind: str, role: str):
        return FuzzRuntime("4242" if role == "learner" else "author", role == "learner").get_block(usages[kind])

    return get


def call_handler(block, name: str, method: str, content_type: str, body: bytes):
    request = Request.blank("/", method=method, body=body if method not in ("GET", "HEAD") else None)
    request.content_type = content_type
    detail = f"{block.scope_ids.block_type}.{name} {method} {content_type!r} {body[:120]!r}"
    try:
        response = block.runtime.handle(block, name, request)
    except Exception as exc:  # what the LMS would answer 500 for
        _record("handler", 500, f"{detail}: {exc!r}")
        raise
    _record("handler", response.status_code, detail)
    assert response.status_code < 500, detail
    _check_error_body(response.status_code, response.content_type or "", response.body, method)
    if response.status_code == 200 and (response.content_type or "").startswith("application/json"):
        document = json.loads(response.body)
        if isinstance(document, dict) and document.get("ok") is False:
            assert document.get("message") or document.get("errors"), detail
    return response


@pytest.mark.parametrize("role", ["learner", "author"])
@pytest.mark.parametrize(("kind", "name"), HANDLERS, ids=[f"{k}.{n}" for k, n in HANDLERS])
@FUZZ
@given(method=METHODS, content_type=CONTENT_TYPES, body=BODIES)
def test_handlers_never_answer_5xx(blocks, per_request, kind, name, role, method, content_type, body):  # noqa: PLR0917
    block = blocks(kind, role)
    per_request(lambda: call_handler(block, name, method, content_type, body))


@pytest.mark.parametrize(("kind", "name"), HANDLERS, ids=[f"{k}.{n}" for k, n in HANDLERS])
def test_handlers_refuse_huge_bodies(blocks, per_request, kind, name):
    block = blocks(kind, "learner")
    response = per_request(lambda: call_handler(block, name, "POST", "application/json", b'{"a": "' + b"x" * HUGE))
    # 403: an authoring handler refuses a learner before it reads the body at all.
    assert response.status_code in (200, 400, 403, 413)


@pytest.mark.parametrize("kind_of_nesting", DEEP_KINDS)
@pytest.mark.parametrize(("kind", "name"), HANDLERS, ids=[f"{k}.{n}" for k, n in HANDLERS])
def test_handlers_survive_deep_nesting(blocks, per_request, kind, name, kind_of_nesting):
    for role in ("learner", "author"):
        block = blocks(kind, role)
        for depth in DEPTHS:
            body = _deep(depth, kind_of_nesting)
            per_request(lambda: call_handler(block, name, "POST", "application/json", body))  # noqa: B023


def test_both_blocks_have_handlers_to_fuzz():
    names = {name for _kind, name in HANDLERS}
    assert {"submit", "studio_submit", "reissue", "student_view_user_state"} <= names


# ------------------------------------------------------------------------------------------ views


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        namespace = f"{prefix}{entry.namespace}:" if isinstance(entry, URLResolver) and entry.namespace else prefix
        if isinstance(entry, URLResolver):
            found += _patterns(entry, namespace)
        else:
            found.append((f"{prefix}{entry.name}", entry))
    return found


with override_settings(ROOT_URLCONF=platform_settings.ROOT_URLCONF):
    VIEWS = sorted(_patterns(get_resolver(platform_settings.ROOT_URLCONF)), key=lambda item: item[0])


@pytest.fixture
def lms(earned):
    with override_settings(ROOT_URLCONF=platform_settings.ROOT_URLCONF, MICROVET=platform_settings.MICROVET):
        yield earned


@pytest.fixture
def clients(lms):
    users = {
        "learner": get_user_model().objects.create(username="fuzz-learner"),
        "staff": get_user_model().objects.create(username="fuzz-staff", is_staff=True),
    }
    made = {"anonymous": Client(raise_request_exception=False)}
    for role, user in users.items():
        made[role] = Client(raise_request_exception=False)
        made[role].force_login(user)
    return made


def _argument(converter: str, data, earned) -> str:
    if converter == "UUIDConverter":
        return data.draw(st.sampled_from([str(earned.uuid), str(uuid.UUID(int=7)), str(uuid.uuid4())]))
    value = data.draw(st.one_of(st.sampled_from([COURSE, "suspension-1"]), NASTY.filter(bool), TEXT.filter(bool)))
    return value.replace("/", "_")


def _path(name: str, pattern: URLPattern, data, earned) -> str:
    converters = getattr(pattern.pattern, "converters", {})
    kwargs = {key: _argument(type(conv).__name__, data, earned) for key, conv in converters.items()}
    try:
        return reverse(name, kwargs=kwargs)
    except (NoReverseMatch, UnicodeEncodeError):  # refused by a converter (only blanks) or not UTF-8 (a lone surrogate)
        return "/microvet/" + quote(json.dumps(kwargs, ensure_ascii=False).encode("utf-8", "surrogatepass"))


STAFF_FORMS = st.fixed_dictionaries(
    {},
    optional={
        "credential": st.one_of(st.just("EARNED"), TEXT),
        "action": st.sampled_from(["revoke", "suspend", "reinstate", "reissue", "delete", "\x00"]),
        "reason": TEXT,
        "page": TEXT,
    },
)


@pytest.mark.parametrize("role", ["anonymous", "learner", "staff"])
@pytest.mark.parametrize(("name", "pattern"), VIEWS, ids=[name for name, _p in VIEWS])
@FUZZ
@given(data=st.data(), method=METHODS, content_type=CONTENT_TYPES)
def test_views_never_answer_5xx(  # noqa: PLR0917 - pytest fixtures and hypothesis draws
    clients, per_request, lms, name, pattern, role, data, method, content_type
):
    path = _path(name, pattern, data, lms)
    query = data.draw(st.dictionaries(st.sampled_from(["page", "done", "error", "format"]), TEXT, max_size=2))
    if data.draw(st.booleans()):
        form = {k: (str(lms.uuid) if v == "EARNED" else v) for k, v in data.draw(STAFF_FORMS).items()}
        body, content_type = _form(form).encode(), "application/x-www-form-urlencoded"
    else:
        body = data.draw(BODIES)
    url = f"{path}?{_form(query)}" if query else path
    detail = f"{role} {method} {url[:200]} {content_type!r} {body[:120]!r}"
    response, content = per_request(lambda: _read(clients[role].generic(method, url, body, content_type=content_type)))
    _record("view", response.status_code, detail)
    assert response.status_code < 500, detail
    _check_error_body(response.status_code, response.get("Content-Type", ""), content, method)


def _read(response):
    """The response and its whole body, read inside the request (a CSV export streams from the database)."""
    return response, b"".join(response.streaming_content) if response.streaming else response.content


TEXT_ARGUMENT_VIEWS = [
    (name, pattern)
    for name, pattern in VIEWS
    if any(type(c).__name__ == "StringConverter" for c in getattr(pattern.pattern, "converters", {}).values())
]


@pytest.mark.parametrize(("name", "pattern"), TEXT_ARGUMENT_VIEWS, ids=[name for name, _p in TEXT_ARGUMENT_VIEWS])
def test_views_survive_every_nasty_path_argument(clients, per_request, lms, name, pattern):
    """Each nasty string in each text argument of the URL (NUL, surrogates, bidi...), by every role."""
    converters = pattern.pattern.converters
    for value in NASTY_STRINGS:
        if not value or "/" in value:
            continue
        try:
            path = reverse(name, kwargs=dict.fromkeys(converters, value))
        except (NoReverseMatch, UnicodeEncodeError):  # a value the URL cannot carry
            continue
        for role, client in clients.items():
            for method in ("GET", "POST"):
                response, content = per_request(lambda: _read(client.generic(method, path)))  # noqa: B023
                detail = f"{role} {method} {path[:200]}"
                _record("view", response.status_code, detail)
                assert response.status_code < 500, detail
                _check_error_body(response.status_code, response.get("Content-Type", ""), content, method)


def test_every_public_and_staff_view_is_fuzzed():
    names = {name for name, _pattern in VIEWS}
    assert {"microvet:verify", "microvet:status", "microvet:staff_action", "microvet:staff_export"} <= names
