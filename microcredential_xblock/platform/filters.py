"""openedx-filters: our pipeline steps for platform filters, and our own two public filters.

Steps never stop a pipeline (they return a dict, possibly empty) and never fail a page: a missing
course, user or definition leaves the input as it was. Our own filters let operators veto or
enrich an issuance (``MicroCredentialIssuanceRequested``) and forward an issued credential
(``MicroCredentialIssued``; steps should enqueue, not call remote systems inline).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.template import Context
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from openedx_filters import PipelineStep
from openedx_filters.exceptions import OpenEdxFilterException
from openedx_filters.tooling import OpenEdxPublicFilter

from badge_issuer.definition import parse_definition
from microcredential_xblock.compat import current_request_user
from microcredential_xblock.service import api, issuance
from microcredential_xblock.service.config import config
from microcredential_xblock.service.eu_elements import course_elements
from microcredential_xblock.service.models import IssuedCredential, MicroCredentialDefinition
from microcredential_xblock.service.views import ENGINE

from .tasks import learner

log = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------ our filters


class MicroCredentialIssuanceRequested(OpenEdxPublicFilter):
    """Runs before a credential is signed: steps may veto (PreventIssuance) or return an enriched award.

    Purpose:
        ``award`` is a ``service.issuance.Award`` (frozen: steps return ``dataclasses.replace(award, ...)``,
        e.g. with a learner's DID from a wallet registry as ``subject_did``, or the legal name as
        ``name``); ``definition`` is the definition as registered (read-only).

    Filter Type:
        org.openedx.microvet.credential.issuance.requested.v1

    Trigger:
        - Repository: microvet-credentials (this package)
        - Path: microcredential_xblock/service/issuance.py
        - Function or Method: issue_once, through MICROVET['BEFORE_ISSUE'] (request_issuance in the LMS)
    """

    filter_type = "org.openedx.microvet.credential.issuance.requested.v1"

    class PreventIssuance(OpenEdxFilterException):
        """Raise to stop this issuance; the learner stays "in progress" and may be issued later."""

    @classmethod
    def run_filter(cls, award: issuance.Award, definition: dict[str, Any]) -> issuance.Award:
        data = super().run_pipeline(award=award, definition=definition)
        return data.get("award")


class MicroCredentialIssued(OpenEdxPublicFilter):
    """Runs after a credential is committed: ``credential`` (IssuedCredential) and its public ``urls``.

    Purpose:
        Forward an issued credential (to a CRM, a wallet registry, a notification); steps should
        enqueue, not call remote systems inline, as they run in the issuing process.

    Filter Type:
        org.openedx.microvet.credential.issued.v1

    Trigger:
        - Repository: microvet-credentials (this package)
        - Path: microcredential_xblock/platform/receivers.py
        - Function or Method: on_credential_saved, after the issuing transaction commits (LMS)
    """

    filter_type = "org.openedx.microvet.credential.issued.v1"

    @classmethod
    def run_filter(cls, credential: IssuedCredential, urls: dict[str, str]) -> tuple[IssuedCredential, dict]:
        data = super().run_pipeline(credential=credential, urls=urls)
        return data.get("credential"), data.get("urls")


#: An award's identity: a step may enrich an award but not hand it to someone else.
_FIXED = ("learner_id", "course_key", "usage_key", "snapshot")


def request_issuance(award: issuance.Award, definition: dict[str, Any]) -> issuance.Award | None:
    """The award to issue after the operator's steps, or None if a step vetoed it.

    The service calls this through ``MICROVET["BEFORE_ISSUE"]`` (set by plugin_settings).
    """
    try:
        result = MicroCredentialIssuanceRequested.run_filter(award=award, definition=definition)
    except MicroCredentialIssuanceRequested.PreventIssuance as veto:
        log.info("microvet: issuance to learner %s vetoed: %s", award.learner_id, veto)
        return None
    if not isinstance(result, issuance.Award) or any(getattr(result, f) != getattr(award, f) for f in _FIXED):
        raise TypeError(
            f"{MicroCredentialIssuanceRequested.filter_type}: a step must return an Award for the same "
            f"learner and micro-credential ({', '.join(_FIXED)} are fixed)"
        )
    return result


def announce_issued(credential: IssuedCredential) -> None:
    MicroCredentialIssued.run_filter(credential=credential, urls=api.public_urls(credential))


# ------------------------------------------------------------------------------------------ shared views


def course_definitions(course_key: Any) -> list[MicroCredentialDefinition]:
    if course_key is None:
        return []
    return list(MicroCredentialDefinition.objects.filter(course_key=str(course_key)).order_by("pk"))


def _learner(user: Any) -> api.Learner | None:
    """The learner for a user object or a user id (certificate contexts carry only the id)."""
    return None if user is None else learner(str(getattr(user, "pk", user)))


def _summaries(rows: list[MicroCredentialDefinition], learner: api.Learner | None) -> list[dict[str, Any]]:
    """Per micro-credential: title, EU elements and, for a learner, state and public URLs."""
    summaries = []
    for row in rows:
        summary: dict[str, Any] = {
            "id": row.microcredential_id,
            "title": row.definition["title"],
            "elements": course_elements(parse_definition(row.definition)),
        }
        if learner is not None:
            progress = api.learner_progress(learner, row.course_key, row.usage_key)
            summary["state"] = progress.state
            summary["urls"] = api.public_urls(progress.credential) if progress.credential else {}
        summaries.append(summary)
    return summaries


def _html(summaries: list[dict[str, Any]]) -> str:
    """A self-contained, escaped fragment a theme can place with ``${microvet_html | n}``."""
    return mark_safe(ENGINE.get_template("microvet/staff/eu_elements.html").render(Context({"items": summaries})))  # noqa: S308


# ------------------------------------------------------------------------------------------ platform steps


def never_fails(run_filter: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """A page must render even if our part cannot: log and leave the input unchanged (operators
    may set ``fail_silently: False`` on a filter for their own steps, which would break the page)."""

    @wraps(run_filter)
    def safe(self: PipelineStep, **kwargs: Any) -> dict[str, Any]:
        try:
            return run_filter(self, **kwargs)
        except Exception:
            log.exception("microvet: %s failed; input left unchanged", type(self).__name__)
            return {}

    return safe


class AddMicroCredentialToCertificate(PipelineStep):
    """CertificateRenderStarted: the EU elements and the learner's badge next to the course certificate.

    Adds ``microvet_credentials`` (data) and ``microvet_html`` (ready-made fragment) to the context.
    """

    @never_fails
    def run_filter(self, context: dict[str, Any], custom_template: Any) -> dict[str, Any]:
        rows = course_definitions(context.get("course_id"))
        user_id = context.get("accomplishment_user_id")
        if not rows or user_id is None:
            return {}
        summaries = _summaries(rows, _learner(user_id))
        return {"context": {**context, "microvet_credentials": summaries, "microvet_html": _html(summaries)}}


class AddMicroCredentialToEnrollment(PipelineStep):
    """CourseEnrollmentAPIRenderStarted: each enrollment on the learner dashboard lists its
    micro-credentials with their state (camelCase, like the rest of the learner-home API)."""

    @never_fails
    def run_filter(self, course_key: Any, serialized_enrollment: dict[str, Any]) -> dict[str, Any]:
        rows = course_definitions(course_key)
        learner = _learner(current_request_user())
        if not rows or learner is None:
            return {}
        states = [
            {"id": s["id"], "title": s["title"], "state": s["state"], "verifyUrl": s["urls"].get("verify", "")}
            for s in _summaries(rows, learner)
        ]
        return {"serialized_enrollment": {**serialized_enrollment, "microCredentials": states}}


class AddMicroCredentialToCourseAbout(PipelineStep):
    """CourseAboutRenderStarted: the EU elements a prospective learner compares (ECTS, EQF,
    assessment, participation, quality assurance ...), as ``microvet_credentials`` and ``microvet_html``."""

    @never_fails
    def run_filter(self, context: dict[str, Any], template_name: str) -> dict[str, Any]:
        course = context.get("course")
        rows = course_definitions(context.get("course_id") or getattr(course, "id", None))
        if not rows:
            return {}
        summaries = _summaries(rows, None)
        return {"context": {**context, "microvet_credentials": summaries, "microvet_html": _html(summaries)}}


TAB_ID = "microvet_credentials"


class AddIssuedCredentialsTab(PipelineStep):
    """InstructorDashboardTabsRequested: an "Issued credentials" tab for courses with a micro-credential."""

    @never_fails
    def run_filter(self, tabs: list, user: Any, course_key: Any) -> dict[str, Any]:
        if not course_definitions(course_key) or any(t.get("tab_id") == TAB_ID for t in tabs):
            return {}
        from django.urls import reverse  # noqa: PLC0415

        tab = {
            "tab_id": TAB_ID,
            "title": _("Issued credentials"),
            "url": config().base_url + reverse("microvet:staff_course", args=[str(course_key)]),
            "sort_order": max((t.get("sort_order", 0) for t in tabs), default=0) + 1,
        }
        return {"tabs": [*tabs, tab]}
