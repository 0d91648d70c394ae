"""The demo's alliance: sample members, one endorsement of the sample micro-credential, the impact page.

The members' keys are made here (did:key, in ``var/keys/alliance/``) to stand for keys the members
hold themselves; their endorsement goes through the same verification as a staff upload.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.template import Context

#: Sample members (fictional organisations), with descriptions in two of the platform's languages.
MEMBERS = [
    {
        "slug": "chamber",
        "name": "Camera di Commercio dell'Emilia (demo)",
        "country": "IT",
        "region": "Emilia-Romagna",
        "organisation_type": "chamber",
        "expertise": "Apprenticeships and craft trades",
        "description": {
            "en": "Represents the region's firms and runs the apprenticeship register.",
            "it": "Rappresenta le imprese della regione e gestisce il registro dell'apprendistato.",
        },
        "website": "https://camera.example.it",
        "mou_signed": date(2026, 3, 12),
        "colour": 0x2E,
    },
    {
        "slug": "qa",
        "name": "Agencia de Calidad de la FP (demo)",
        "country": "ES",
        "region": "Comunidad de Madrid",
        "organisation_type": "quality-assurance",
        "expertise": "External quality assurance of VET providers",
        "description": {
            "en": "Reviews vocational training providers against EQAVET indicators.",
            "es": "Evalúa a los centros de formación profesional con los indicadores EQAVET.",
        },
        "website": "https://calidad-fp.example.es",
        "mou_signed": date(2026, 5, 4),
        "colour": 0x80,
    },
]


def _logo(shade: int) -> bytes:
    import png  # noqa: PLC0415  (pypng, a dependency of the baking code)

    buffer = io.BytesIO()
    rows = [[shade if (x // 8 + y // 8) % 2 else 255 - shade for x in range(64)] for y in range(64)]
    png.Writer(64, 64, greyscale=True).write(buffer, rows)
    return buffer.getvalue()


def seed(var: Path) -> list[str]:
    """Create the sample members once, and have the chamber endorse every published sample micro-credential."""
    from badge_issuer.endorse import build_endorsement  # noqa: PLC0415
    from badge_issuer.issue import sign_credential  # noqa: PLC0415
    from badge_issuer.keystore import generate_issuer, load_issuer  # noqa: PLC0415
    from microcredential_xblock.service import alliance  # noqa: PLC0415
    from microcredential_xblock.service.alliance_models import AllianceMember  # noqa: PLC0415
    from microcredential_xblock.service.models import MicroCredentialDefinition  # noqa: PLC0415

    if AllianceMember.objects.exists():
        return []
    made = []
    for sample in MEMBERS:
        directory = var / "keys" / "alliance" / sample["slug"]
        if (directory / "issuer.json").exists():
            keys = load_issuer(directory)
        else:
            directory.mkdir(parents=True, exist_ok=True)
            keys = generate_issuer(directory, did="key", profile={"name": sample["name"], "url": sample["website"]})
        values = {k: v for k, v in sample.items() if k not in ("slug", "colour")}
        member = AllianceMember.objects.create(**values, logo_png=_logo(sample["colour"]), identifier=keys.issuer_id)
        made.append(member.name)
        if sample["slug"] != "chamber":
            continue
        for achievement_id in MicroCredentialDefinition.objects.values_list("microcredential_id", flat=True):
            unsigned = build_endorsement(
                subject_id=achievement_id,
                issuer_profile=keys.issuer_profile(),
                name="Endorsed by the chamber for apprenticeship trainers",
                comment="Meets the chamber's standard for trainers of apprentices.",
            )
            signed = sign_credential(unsigned, keys, ("di",)).document
            alliance.accept_endorsement(member, json.dumps(signed), actor="demo")
    return made


def impact_page(request: HttpRequest) -> HttpResponse:
    """The alliance's impact page as platform staff see it in the LMS (the workbench has no logins)."""
    from microcredential_xblock.service import impact  # noqa: PLC0415
    from microcredential_xblock.service.models import MicroCredentialDefinition  # noqa: PLC0415
    from microcredential_xblock.service.views import ENGINE  # noqa: PLC0415

    keys = MicroCredentialDefinition.objects.order_by("course_key").values_list("course_key", flat=True).distinct()
    context = {
        "courses": impact.course_figures(list(keys)),
        "alliance": impact.alliance_figures(),
        "csv_url": "",
    }
    return HttpResponse(ENGINE.get_template("microvet/alliance/impact.html").render(Context(context)))
