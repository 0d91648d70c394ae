"""The one place that knows about the Open edX platform: every platform lookup goes through here.

Imports of platform code are lazy and every helper has a fallback, so the blocks work in the
XBlock workbench, under ToyRuntime in unit tests and in the LMS/CMS alike (docs/upper-floor.md).
"""

from __future__ import annotations

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
    """
    usage_id = block.scope_ids.usage_id
    context = getattr(usage_id, "context_key", None) or getattr(usage_id, "course_key", None)
    if context is not None:
        return str(context), str(usage_id)
    return f"workbench:{str(usage_id).split('.', 1)[0]}", str(usage_id)


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
# Added for the Open edX integration (microcredential_xblock/platform, issue 5).


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


def is_course_staff(user: Any, course_key: str) -> bool:
    """Course staff or instructor in the LMS (courseware access rules); Django staff elsewhere."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    try:
        from lms.djangoapps.courseware.access import has_access  # noqa: PLC0415
        from opaque_keys.edx.keys import CourseKey  # noqa: PLC0415
    except ImportError:
        return bool(user.is_staff)
    return bool(has_access(user, "staff", CourseKey.from_string(str(course_key))))


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
        from opaque_keys import InvalidKeyError  # noqa: PLC0415
        from opaque_keys.edx.keys import CourseKey  # noqa: PLC0415
    except ImportError:
        return bool(attrs.get(PLATFORM_USER_IS_STAFF, False))
    try:
        course_key = CourseKey.from_string(course_and_usage_keys(block)[0])
    except InvalidKeyError:
        return False
    django_user = get_user_model().objects.filter(pk=platform_id).first() if str(platform_id).isdigit() else None
    return django_user is not None and bool(has_studio_write_access(django_user, course_key))
