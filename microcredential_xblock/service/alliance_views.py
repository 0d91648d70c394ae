"""The alliance's pages: the public members directory (HTML and JSON), member logos, impact pages.

The directory is public and cached like the other public views; the impact pages are for course
staff (one course) and platform staff (the whole alliance), with a CSV export of the same figures.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Length
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, StreamingHttpResponse
from django.template import Context
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from microcredential_xblock.compat import is_course_staff

from . import impact
from .alliance import localized
from .alliance_models import ORGANISATION_TYPES, AllianceMember, Endorsement
from .models import MicroCredentialDefinition
from .spreadsheet import csv_lines
from .views import ENGINE, _cached, _json, only, public


def _member(member: AllianceMember, language: str, titles: dict[str, str]) -> dict[str, Any]:
    endorsements = [
        {"name": e.name, "subject": e.subject_id, "subject_kind": e.subject_kind, "title": titles.get(e.subject_id, "")}
        for e in member.endorsements.all()
        if e.state == Endorsement.ACCEPTED
    ]
    return {
        "id": member.pk,
        "name": member.name,
        "country": member.country,
        "region": member.region,
        "organisation_type": member.organisation_type,
        "organisation_type_label": str(dict(ORGANISATION_TYPES).get(member.organisation_type, "")),
        "expertise": member.expertise,
        "description": localized(member.description, language),
        "descriptions": member.description,
        "logo": reverse("microvet:alliance_logo", args=[member.pk]) if member.logo_bytes else None,
        "website": member.website,
        "mou_signed": member.mou_signed.isoformat(),
        "identifier": member.identifier,
        "endorsements": endorsements,
    }


def _members(language: str) -> list[dict[str, Any]]:
    """Listed members, without reading their logos (only whether they have one)."""
    members = (
        AllianceMember.objects.filter(listed=True)
        .defer("logo_png")
        .annotate(logo_bytes=Length("logo_png"))
        .prefetch_related("endorsements")
    )
    titles = dict(
        MicroCredentialDefinition.objects.annotate(title=KeyTextTransform("title", "definition")).values_list(
            "microcredential_id", "title"
        )
    )
    return [_member(member, language, titles) for member in members]


@public
def directory(request: HttpRequest) -> HttpResponse:
    """The members directory, in the request's language."""
    language = get_language() or "en"
    members = _members(language)
    html = ENGINE.get_template("microvet/alliance/directory.html").render(
        Context({"members": members, "language": language, "json_url": reverse("microvet:alliance_json")})
    )
    response = _cached(request, html, "text/html; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"
    response["Content-Language"] = language
    return response


@public
def directory_json(request: HttpRequest) -> HttpResponse:
    """The same directory as JSON: every member with its descriptions in all languages."""
    members = _members(get_language() or "en")
    for member in members:
        member.pop("description")
        member.pop("organisation_type_label")
    return _json(request, {"members": members})


@public
def logo(request: HttpRequest, pk: int) -> HttpResponse:
    member = AllianceMember.objects.filter(pk=pk, listed=True).exclude(logo_png=b"").first()
    if member is None:
        raise Http404(_("No such member logo."))
    response = _cached(request, bytes(member.logo_png), "image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------------------------------ impact (staff)


def _render_impact(
    request: HttpRequest, courses: list[impact.CourseFigures], csv_url: str, **extra: Any
) -> HttpResponse:
    context = {"courses": courses, "csv_url": csv_url, **extra}
    html = ENGINE.get_template("microvet/alliance/impact.html").render(Context(context))
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


def _csv(courses: list[impact.CourseFigures], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(impact.csv_rows(courses)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@only("GET", "HEAD")
@login_required
def course_impact(request: HttpRequest, course_key: str) -> HttpResponse:
    """One course's figures, for its staff."""
    if not is_course_staff(request.user, course_key):
        return HttpResponseForbidden(_("Only course staff can see the impact of this course."))
    courses = impact.course_figures([course_key])
    if request.GET.get("format") == "csv":
        safe = "".join(ch if ch.isalnum() or ch in "+-_." else "_" for ch in course_key)
        return _csv(courses, f"microvet-impact-{safe}.csv")
    return _render_impact(request, courses, f"{request.path}?format=csv")


@only("GET", "HEAD")
@login_required
def alliance_impact(request: HttpRequest) -> HttpResponse:
    """Every course with a micro-credential and the alliance's reach, for platform staff."""
    if not request.user.is_staff:
        return HttpResponseForbidden(_("Only platform staff can see the alliance's impact."))
    keys = MicroCredentialDefinition.objects.order_by("course_key").values_list("course_key", flat=True).distinct()
    courses = impact.course_figures(list(keys))
    if request.GET.get("format") == "csv":
        return _csv(courses, "microvet-impact-alliance.csv")
    return _render_impact(request, courses, f"{request.path}?format=csv", alliance=impact.alliance_figures())
