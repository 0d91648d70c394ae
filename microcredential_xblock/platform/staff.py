"""Course staff operations: who earned, who is close, status changes with a reason, CSV export.

Reads go to the service's tables (read-only: no listing API exists in service.api); every change
goes through ``service.api`` so the audit trail, status lists and exactly-once rules hold.
Mounted under /microvet/staff/ by platform/urls.py; the instructor dashboard links here
(filters.AddIssuedCredentialsTab).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.template import Context
from django.urls import reverse
from django.utils.translation import gettext as _

from microcredential_xblock.compat import is_course_staff, parse_course_key
from microcredential_xblock.service import api, lifecycle
from microcredential_xblock.service.models import (
    AssessmentResult,
    IssuedCredential,
    MicroCredentialDefinition,
)
from microcredential_xblock.service.spreadsheet import csv_lines
from microcredential_xblock.service.views import ENGINE, only

PAGE_SIZE = 50
#: "Who is close" evaluates the rules per learner: only the most recently active learners are scanned.
CLOSE_SCAN_LIMIT = 300
CLOSE_SHOWN = 25
ACTIONS = {"revoke": api.revoke, "suspend": api.suspend, "reinstate": api.reinstate, "reissue": api.reissue}
CSV_COLUMNS = (
    "uuid",
    "learner_id",
    "recipient_name",
    "microcredential_id",
    "title",
    "state",
    "issued_at",
    "valid_until",
    "revoked_at",
    "suspended_at",
    "reason",
    "replaces",
    "verify_url",
)


# ------------------------------------------------------------------------------------------ queries


def current_credentials(course_key: str) -> QuerySet[IssuedCredential]:
    """The current credential of each learner and micro-credential (re-issued ones are left out)."""
    return IssuedCredential.objects.filter(course_key=course_key, current=True).order_by("pk")


def learner_ids(course_key: str, after: str = "") -> QuerySet:
    """Every learner with evidence in the course, in id order, after ``after`` (``service.lifecycle``)."""
    return lifecycle.learner_ids(course_key, after)


def missing_parts(tree: dict[str, Any]) -> list[str]:
    """Sentences of the rule leaves that do not hold yet (from service.api.preview_rules)."""
    if "children" not in tree:
        return [] if tree["holds"] else [tree["detail"]]
    return [part for child in tree["children"] for part in missing_parts(child)]


def close_learners(row: MicroCredentialDefinition) -> list[dict[str, Any]]:
    """Learners without the credential, fewest missing rule parts first."""
    holders = set(
        current_credentials(row.course_key)
        .filter(microcredential_id=row.microcredential_id)
        .values_list("learner_id", flat=True)
    )
    recent = (
        AssessmentResult.objects.filter(course_key=row.course_key)
        .order_by("-updated")
        .values_list("learner_id", flat=True)[:CLOSE_SCAN_LIMIT]
    )
    close = []
    for learner_id in dict.fromkeys(recent):
        if learner_id in holders:
            continue
        preview = api.preview_rules(row.course_key, row.usage_key, learner_id)
        close.append({"learner_id": learner_id, "holds": preview["holds"], "missing": missing_parts(preview["tree"])})
    close.sort(key=lambda item: (len(item["missing"]), item["learner_id"]))
    return close[:CLOSE_SHOWN]


# ------------------------------------------------------------------------------------------ views


def _staff_only(request: HttpRequest, course_key: str) -> HttpResponse | None:
    """403 for non-staff; a URL whose course key is malformed names no course: 404."""
    if parse_course_key(course_key) is None:
        raise Http404(_("This course has no micro-credential."))
    if not is_course_staff(request.user, course_key):
        return HttpResponseForbidden(_("Only course staff can see issued credentials."))
    return None


@login_required
@only("GET", "HEAD")
def course_view(request: HttpRequest, course_key: str) -> HttpResponse:
    """The "Issued credentials" page of one course."""
    if (denied := _staff_only(request, course_key)) is not None:
        return denied
    rows = list(MicroCredentialDefinition.objects.filter(course_key=course_key).order_by("pk"))
    if not rows:
        raise Http404(_("This course has no micro-credential."))
    page = Paginator(current_credentials(course_key), PAGE_SIZE).get_page(request.GET.get("page"))
    titles = {row.microcredential_id: row.definition["title"] for row in rows}
    context = {
        "course_key": course_key,
        "page": page,
        "credentials": [
            {
                "row": c,
                "title": titles.get(c.microcredential_id, c.microcredential_id),
                "verify": api.public_urls(c)["verify"],
            }
            for c in page
        ],
        "definitions": [{"title": row.definition["title"], "close": close_learners(row)} for row in rows],
        "csv_url": reverse("microvet:staff_export", args=[course_key]),
        "action_url": reverse("microvet:staff_action", args=[course_key]),
        "csrf_token": get_token(request),
        "message": request.GET.get("done", ""),
        "error": request.GET.get("error", ""),
    }
    html = ENGINE.get_template("microvet/staff/course.html").render(Context(context))
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@login_required
@only("POST")
def action_view(request: HttpRequest, course_key: str) -> HttpResponse:
    """Revoke, suspend, reinstate or re-issue one credential of the course, with a reason."""
    if (denied := _staff_only(request, course_key)) is not None:
        return denied
    action = request.POST.get("action", "")
    back = reverse("microvet:staff_course", args=[course_key])
    try:
        credential = api.get_credential(request.POST.get("credential", ""))
        if credential.course_key != course_key or action not in ACTIONS:
            raise api.NotFound(_("No such credential."))
        ACTIONS[action](credential.uuid, actor=request.user.get_username(), reason=request.POST.get("reason", ""))
    except api.NotFound as exc:
        raise Http404(str(exc)) from None
    except api.InvalidInput as exc:
        return redirect(f"{back}?{urlencode({'error': str(exc.reason)})}")
    return redirect(f"{back}?{urlencode({'done': action})}")


def csv_rows(course_key: str) -> Iterator[list[str]]:
    """The export, streamed from the database in chunks (a large course never sits in memory)."""
    yield list(CSV_COLUMNS)
    for c in current_credentials(course_key).select_related("replaces").iterator(chunk_size=500):
        yield [
            str(c.uuid),
            c.learner_id,
            c.recipient_name,
            c.microcredential_id,
            c.definition_snapshot["definition"]["title"],
            c.state,
            _iso(c.issued_at),
            _iso(c.valid_until),
            _iso(c.revoked_at),
            _iso(c.suspended_at),
            c.reason,
            str(c.replaces.uuid) if c.replaces_id else "",
            api.public_urls(c)["verify"],
        ]


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


@login_required
@only("GET", "HEAD")
def export_view(request: HttpRequest, course_key: str) -> HttpResponse:
    """CSV of the course's current credentials (recipient e-mails are left out on purpose)."""
    if (denied := _staff_only(request, course_key)) is not None:
        return denied
    response = StreamingHttpResponse(csv_lines(csv_rows(course_key)), content_type="text/csv")
    safe = "".join(ch if ch.isalnum() or ch in "+-_." else "_" for ch in course_key)
    response["Content-Disposition"] = f'attachment; filename="microvet-credentials-{safe}.csv"'
    return response
