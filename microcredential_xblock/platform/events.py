"""BADGE_AWARDED / BADGE_REVOKED with origin "microvet", so the platform sees our badges like the
Credentials service's badges (openedx-events 11, ``openedx_events.learning.signals``)."""

from __future__ import annotations

import logging
import uuid

from openedx_events.learning.data import BadgeData, BadgeTemplateData, UserData, UserPersonalData
from openedx_events.learning.signals import BADGE_AWARDED, BADGE_REVOKED

from microcredential_xblock.compat import learner_identity
from microcredential_xblock.service import api
from microcredential_xblock.service.models import IssuedCredential

log = logging.getLogger(__name__)
ORIGIN = "microvet"


def template_uuid(microcredential_id: str) -> str:
    """A stable template id per micro-credential (its achievement IRI names it uniquely)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, microcredential_id))


def badge_data(credential: IssuedCredential) -> BadgeData | None:
    """The event payload, or None for a learner that is not a platform user (workbench ids)."""
    if not credential.learner_id.isdigit():
        return None
    identity = learner_identity(credential.learner_id)
    username = _username(credential.learner_id)
    definition = credential.definition_snapshot["definition"]
    return BadgeData(
        uuid=str(credential.uuid),
        user=UserData(
            id=int(credential.learner_id),
            is_active=True,
            pii=UserPersonalData(username=username, email=identity.email, name=identity.name),
        ),
        template=BadgeTemplateData(
            uuid=template_uuid(credential.microcredential_id),
            origin=ORIGIN,
            name=definition["title"],
            description=definition.get("description", ""),
            image_url=api.public_urls(credential)["png"],
        ),
    )


def _username(user_id: str) -> str:
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    user = get_user_model().objects.filter(pk=user_id).only("username").first()
    return user.username if user is not None else ""


def emit(credential_pk: int, awarded: bool) -> None:
    """Send the event for a committed credential (called from transaction.on_commit)."""
    credential = IssuedCredential.objects.get(pk=credential_pk)
    badge = badge_data(credential)
    if badge is None:
        log.debug("microvet: no badge event for non-platform learner %s", credential.learner_id)
        return
    signal = BADGE_AWARDED if awarded else BADGE_REVOKED
    signal.send_event(badge=badge)
    log.info("microvet: sent %s for credential %s", signal.event_type, credential.uuid)
