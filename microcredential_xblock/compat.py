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
