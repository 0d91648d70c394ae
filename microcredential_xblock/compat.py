"""The one place that knows about the Open edX platform: every platform lookup goes through here.

Imports of platform code are lazy and every helper has a fallback, so the blocks work in the
XBlock workbench, under ToyRuntime in unit tests and in the LMS/CMS alike (docs/upper-floor.md).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

#: Keys the LMS/CMS user service puts into ``XBlockUser.opt_attrs``.
PLATFORM_USER_ID = "edx-platform.user_id"
#: Workbench students have no real e-mail address: this reserved domain (RFC 2606) never delivers.
FALLBACK_EMAIL_DOMAIN = "learners.microvet.invalid"


class UserIdentity(NamedTuple):
    """Who is acting, as plain strings: the service builds its ``Learner`` from this."""

    user_id: str
    email: str
    name: str


def current_user(block: Any) -> UserIdentity:
    """The learner the block is rendered for or handling a request for.

    In the LMS this is the platform user (id, primary e-mail, full name). Elsewhere (workbench,
    ToyRuntime) the block's ``scope_ids.user_id`` is the student, with a non-deliverable address:
    the workbench reports the same ``user@example.com`` for every student, which would merge learners.
    """
    service = block.runtime.service(block, "user")
    user = service.get_current_user() if service is not None else None
    platform_id = user.opt_attrs.get(PLATFORM_USER_ID) if user is not None else None
    if platform_id is not None:
        emails = user.emails or [f"{platform_id}@{FALLBACK_EMAIL_DOMAIN}"]
        return UserIdentity(str(platform_id), emails[0], user.full_name or "")
    student = str(block.scope_ids.user_id)
    name = (user.full_name or "") if user is not None else ""
    return UserIdentity(student, f"{student}@{FALLBACK_EMAIL_DOMAIN}", name)


def course_and_usage_keys(block: Any) -> tuple[str, str]:
    """``(course key, usage key)`` as strings.

    In Open edX the usage key carries its course (``context_key``). The workbench has no courses:
    every block of one scenario (``<scenario>.<type>.d0.u0``) counts as one course ``workbench:<scenario>``,
    so an assessment and a micro-credential shown together share their evidence, as in a real course.
    Keys are branch- and version-free: Studio loads published blocks under a branch, the LMS does not,
    and both must name a block (and so derive its achievement id) the same way.

    A CCX (custom course) counts as its master course: Studio publishes the master's micro-credentials
    (ADR 0009), so a CCX block's keys are the master's, and its learners' evidence meets those rules.
    """
    usage_id = master_key(block.scope_ids.usage_id)
    context = getattr(usage_id, "context_key", None) or getattr(usage_id, "course_key", None)
    if context is not None:
        return branch_free(context), branch_free(usage_id)
    return f"workbench:{str(usage_id).split('.', 1)[0]}", str(usage_id)


def master_key(key: Any) -> Any:
    """A CCX course or block key as the master course's key (``ccx_keys``' own conversions); any other
    key unchanged."""
    for conversion in ("to_block_locator", "to_course_locator"):
        if hasattr(key, conversion):
            return getattr(key, conversion)()
    return key


def user_id_for_anonymous_id(anonymous_id: str) -> str | None:
    """The platform user id behind an anonymous (per-course) user id, or None if nobody has it.

    The LMS passes anonymous ids to blocks, e.g. to ``clear_student_state`` when staff delete a
    learner's state. Outside Open edX the id is already the block's student id.
    """
    try:
        from common.djangoapps.student.models import user_by_anonymous_id  # noqa: PLC0415
    except ImportError:
        return str(anonymous_id)
    user = user_by_anonymous_id(anonymous_id)
    return None if user is None else str(user.pk)


# ----------------------------------------------------------------------------------- platform integration


def current_request_user() -> Any:
    """The user of the request being served (the LMS runs django-crum's middleware), or None.

    Filters such as CourseEnrollmentAPIRenderStarted pass no user, only the course and the row.
    """
    try:
        from crum import get_current_user  # noqa: PLC0415  (present in the LMS)
    except ImportError:
        return None
    user = get_current_user()
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def learner_identity(user_id: str) -> UserIdentity:
    """Identity of a learner known only by id (events, management commands, staff views).

    The platform's user table gives the e-mail and the profile's full name; a learner without a
    user row (workbench) gets the same non-deliverable address the blocks use.
    """
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    user = get_user_model().objects.filter(pk=user_id).first() if str(user_id).isdigit() else None
    if user is None:
        return UserIdentity(str(user_id), f"{user_id}@{FALLBACK_EMAIL_DOMAIN}", "")
    profile = getattr(user, "profile", None)  # the LMS's UserProfile holds the full name
    name = getattr(profile, "name", "") or user.get_full_name()
    return UserIdentity(str(user.pk), user.email or f"{user.pk}@{FALLBACK_EMAIL_DOMAIN}", name)


def key_text(value: Any) -> Any:
    """A course or usage key object (opaque-keys) as the string it stands for; any other value unchanged.

    Callers outside the platform (the workbench, badge_issuer's tools) pass strings and need no opaque-keys.
    """
    try:
        from opaque_keys import OpaqueKey  # noqa: PLC0415  (installed with Open edX)
    except ImportError:
        return value
    return str(value) if isinstance(value, OpaqueKey) else value


def parse_course_key(value: str) -> Any | None:
    """The ``CourseKey`` spelled by ``value``, or None: URLs carry any text, and a malformed key is a 404."""
    from opaque_keys import InvalidKeyError  # noqa: PLC0415
    from opaque_keys.edx.keys import CourseKey  # noqa: PLC0415

    try:
        return CourseKey.from_string(str(value))
    except InvalidKeyError:
        return None


def usage_key_or_text(value: str) -> Any:
    """The ``UsageKey`` spelled by ``value`` (the LMS runtime loads blocks by key object), else ``value``
    itself: workbench ids are no opaque keys, and the workbench has no opaque-keys installed."""
    try:
        from opaque_keys import InvalidKeyError  # noqa: PLC0415  (installed with Open edX)
        from opaque_keys.edx.keys import UsageKey  # noqa: PLC0415
    except ImportError:
        return value
    try:
        return UsageKey.from_string(value)
    except InvalidKeyError:
        return value


def is_course_staff(user: Any, course_key: str) -> bool:
    """Course staff or instructor in the LMS (courseware access rules); Django staff elsewhere.
    Nobody is staff of a malformed course key."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    key = parse_course_key(course_key)
    if key is None:
        return False
    try:
        from lms.djangoapps.courseware.access import has_access  # noqa: PLC0415
    except ImportError:
        return bool(user.is_staff)
    return bool(has_access(user, "staff", key))


#: Keys the platform's user service puts into ``XBlockUser.opt_attrs`` (xblock_django/user_service.py).
PLATFORM_USER_IS_STAFF = "edx-platform.user_is_staff"
PLATFORM_IS_AUTHENTICATED = "edx-platform.is_authenticated"
PLATFORM_ATTR_PREFIX = "edx-platform."


def user_can_edit(block: Any) -> bool:
    """Whether the user of this request may change the block's authored content.

    Every authoring handler asks this before touching anything: in the LMS any learner can call any
    handler of a block by URL. In Open edX (LMS and Studio: the user service sets ``edx-platform.*``
    attributes) the answer is Studio write access to the block's course (``has_studio_write_access``);
    anonymous users never may; where the platform's auth module is missing, only global staff.
    Runtimes without platform users (the workbench's user service, ToyRuntime without one) have no
    learners to protect: their user is the demo's author.
    """
    service = block.runtime.service(block, "user")
    if service is None:
        return True
    user = service.get_current_user()
    if user is None:
        return False
    attrs = user.opt_attrs or {}
    if not any(str(key).startswith(PLATFORM_ATTR_PREFIX) for key in attrs):
        return True
    platform_id = attrs.get(PLATFORM_USER_ID)
    if platform_id is None or attrs.get(PLATFORM_IS_AUTHENTICATED) is False:
        return False
    try:
        from common.djangoapps.student.auth import has_studio_write_access  # noqa: PLC0415
        from django.contrib.auth import get_user_model  # noqa: PLC0415
    except ImportError:
        return bool(attrs.get(PLATFORM_USER_IS_STAFF, False))
    course_key = parse_course_key(course_and_usage_keys(block)[0])
    if course_key is None:
        return False
    django_user = get_user_model().objects.filter(pk=platform_id).first() if str(platform_id).isdigit() else None
    return django_user is not None and bool(has_studio_write_access(django_user, course_key))


# ----------------------------------------------------------------------------------------- publishing
# Issue 9: a definition becomes issuable when Studio publishes it (platform/publishing.py, ADR 0009).

#: The block type of the micro-credential block (setup.py's ``xblock.v1`` entry point).
MICROCREDENTIAL_BLOCK_TYPE = "microcredential"


def platform_publishes() -> bool:
    """Whether the Open edX modulestore (and so Studio's Publish button) exists in this process."""
    try:
        import xmodule.modulestore.django  # noqa: F401, PLC0415  (only in the LMS and Studio)
    except ImportError:
        return False
    return True


def branch_free(key: Any) -> str:
    """A course or usage key as the LMS writes it: no branch, no version (split keys can carry both)."""
    for method in ("for_branch", "version_agnostic"):
        if hasattr(key, method):
            key = key.for_branch(None) if method == "for_branch" else key.version_agnostic()
    return str(key)


def published_blocks(course_key: Any, block_type: str = MICROCREDENTIAL_BLOCK_TYPE) -> list[Any]:
    """The *published* blocks of a type in a course, as the LMS loads them (never Studio's drafts)."""
    from opaque_keys.edx.keys import CourseKey  # noqa: PLC0415
    from xmodule.modulestore import ModuleStoreEnum  # noqa: PLC0415  (only in the LMS and Studio)
    from xmodule.modulestore.django import modulestore  # noqa: PLC0415

    if isinstance(course_key, str):
        course_key = CourseKey.from_string(course_key)
    store = modulestore()
    with store.branch_setting(ModuleStoreEnum.Branch.published_only, course_key):
        return list(store.get_items(course_key, qualifiers={"category": block_type}))


# ------------------------------------------------------------------------------------------ course assets


def save_course_asset(block: Any, name: str, content: bytes, content_type: str) -> None:
    """Store ``content`` as the course asset ``name`` of the block's course (replacing one of that name).

    Open edX: the contentstore, as Studio's Files page saves an upload
    (``cms/djangoapps/contentstore/asset_storage_handlers.py``): ``StaticContent.compute_location(course_key,
    name)`` is the asset key (``asset-v1:ORG+COURSE+RUN+type@asset+block@NAME``), ``contentstore().save(
    StaticContent(location, name, content_type, content))`` stores it; course export writes it to
    ``static/NAME`` and import reads it back, so the block refers to it as ``/static/NAME``. Elsewhere
    (workbench, tests): a file ``MICROVET["ASSETS_DIR"]/<course>/NAME``.
    """
    try:
        from xmodule.contentstore.content import StaticContent  # noqa: PLC0415  (only in the LMS and Studio)
        from xmodule.contentstore.django import contentstore  # noqa: PLC0415
    except ImportError:
        path = _asset_file(block, name)
        if path is None:
            raise RuntimeError('course assets outside Open edX need a folder: set MICROVET["ASSETS_DIR"]') from None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return
    location = StaticContent.compute_location(_asset_course_key(block), name)
    contentstore().save(StaticContent(location, name, content_type, content))


def read_course_asset(block: Any, name: str) -> bytes | None:
    """The bytes of the block's course asset ``name``, or None when the course has no such asset.

    Open edX: ``contentstore().find(StaticContent.compute_location(course_key, name)).data``; ``find``
    raises ``xmodule.exceptions.NotFoundError`` for a missing asset. A runtime over an exported course
    (``microvet course check``) names the export's ``static/`` folder as ``course_files``: the file there,
    without Django or the platform (which may be installed but not running). Elsewhere: the file
    ``save_course_asset`` wrote.
    """
    course_files = getattr(block.runtime, "course_files", None)
    if course_files is not None:
        path = Path(course_files) / Path(name).name
        return path.read_bytes() if path.is_file() else None
    try:
        from xmodule.contentstore.content import StaticContent  # noqa: PLC0415  (only in the LMS and Studio)
        from xmodule.contentstore.django import contentstore  # noqa: PLC0415
        from xmodule.exceptions import NotFoundError  # noqa: PLC0415
    except ImportError:
        path = _asset_file(block, name)
        return path.read_bytes() if path is not None and path.is_file() else None
    try:
        return contentstore().find(StaticContent.compute_location(_asset_course_key(block), name)).data
    except NotFoundError:
        return None


def _asset_course_key(block: Any) -> Any:
    """The course whose assets the block uses: a CCX block uses its master course's (as for publishing)."""
    return master_key(block.scope_ids.usage_id).context_key


def _asset_file(block: Any, name: str) -> Path | None:
    """Outside Open edX: where the block's course keeps asset ``name`` (one folder per course); None
    where no folder is configured (``microvet course check``: nothing was ever stored)."""
    from django.conf import settings  # noqa: PLC0415

    # .. setting_name: MICROVET['ASSETS_DIR']
    # .. setting_default: "" (none)
    # .. setting_description: Outside Open edX only (the XBlock workbench, tests): the folder that stands
    #   for the courses' files, where uploaded badge images are kept (one sub-folder per course). Open edX
    #   keeps them in its contentstore and ignores this.

    if not settings.configured:  # a command-line tool without Django: no folder either
        return None
    folder = (getattr(settings, "MICROVET", None) or {}).get("ASSETS_DIR")
    if not folder:
        return None
    course = re.sub(r"[^A-Za-z0-9._-]", "_", course_and_usage_keys(block)[0])
    return Path(folder) / course / Path(name).name


def missing_block_errors() -> tuple[type[Exception], ...]:
    """What a runtime's ``get_block`` raises for a block it cannot load: XBlock's ``NoSuchUsage``
    (workbench, ToyRuntime), the modulestore's ``ItemNotFoundError`` (LMS, Studio), opaque-keys'
    ``InvalidKeyError`` for a key of another format. Anything else is a bug and is raised."""
    from xblock.exceptions import NoSuchUsage  # noqa: PLC0415

    errors: list[type[Exception]] = [NoSuchUsage]
    for path in ("xmodule.modulestore.exceptions.ItemNotFoundError", "opaque_keys.InvalidKeyError"):
        try:
            errors.append(_platform_attribute(path))
        except (ImportError, AttributeError):
            continue
    return tuple(errors)


# ----------------------------------------------------------------------------------- platform signals

#: Platform signals our plugin listens to: name -> dotted path in the LMS. The plugin's
#: signals_config names them as ``microcredential_xblock.compat.<NAME>`` (resolved lazily, below).
PLATFORM_SIGNALS = {
    # Sent by the retirement pipeline's LMS step (AccountRetirementView) with ``user=``, before the
    # platform blanks the user's name and renames the account.
    "USER_RETIRE_LMS_CRITICAL": "openedx.core.djangoapps.user_api.accounts.signals.USER_RETIRE_LMS_CRITICAL",
    # Sent by the modulestore after a publish or a course import (Studio), deferred to the end of a bulk
    # operation. Teak also exports it as the module attribute COURSE_PUBLISHED (globals().update).
    "COURSE_PUBLISHED": "xmodule.modulestore.django.SignalHandler.course_published",
}
_STAND_INS: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    """``compat.USER_RETIRE_LMS_CRITICAL`` (and every name above): the platform's signal in the LMS and
    Studio; elsewhere (workbench, tests) one stand-in Signal per name, so the plugin wiring and the
    receivers work the same way."""
    if name not in PLATFORM_SIGNALS:
        raise AttributeError(name)
    try:
        return _platform_attribute(PLATFORM_SIGNALS[name])
    except (ImportError, AttributeError):
        from django.dispatch import Signal  # noqa: PLC0415

        return _STAND_INS.setdefault(name, Signal())


def _platform_attribute(path: str) -> Any:
    """``a.b.C.d``: the longest importable module prefix, then attributes (import_string takes one only)."""
    import importlib  # noqa: PLC0415

    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(path)


def enrolled_learners(course_keys: list[str]) -> dict[str, int]:
    """Active enrollments per course from the platform's ``CourseEnrollment`` (one query); empty
    outside Open edX, where the workbench has no enrollments."""
    try:
        from common.djangoapps.student.models import CourseEnrollment  # noqa: PLC0415
        from django.db.models import Count  # noqa: PLC0415
    except ImportError:
        return {}
    parsed = {course_key: key for key in course_keys if (course_key := parse_course_key(key)) is not None}
    rows = (
        CourseEnrollment.objects.filter(course_id__in=list(parsed), is_active=True)
        .values_list("course_id")
        .annotate(n=Count("pk"))
    )
    return {parsed.get(course_id, str(course_id)): n for course_id, n in rows}
