"""Tables of the microVET alliance: members, the endorsements they sign, verification-page views.

Imported by ``models.py`` so they belong to the ``microvet`` app. Logos are stored in the row (a
PNG of at most ``alliance.LOGO_MAX_BYTES``): the directory then needs no media storage set up in
the platform, and a member's logo is served by our own view with a long cache lifetime.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

#: The kinds of organisation the microVET partnership brings together.
ORGANISATION_TYPES = [
    ("training-provider", _("Training provider")),
    ("chamber", _("Chamber of commerce or crafts")),
    ("employer", _("Employer")),
    ("quality-assurance", _("Quality-assurance body")),
    ("public-authority", _("Public authority")),
    ("other", _("Other organisation")),
]


class AllianceMember(models.Model):
    """An organisation that signed the alliance's memorandum of understanding.

    ``description`` maps a language code (the platform's languages) to a short text about the
    member's activities; ``identifier`` is the DID or HTTPS issuer URL its endorsements are signed
    under, if it endorses.

    .. no_pii: an organisation's public details, entered by platform staff.
    """

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country (ISO 3166-1 alpha-2)"), max_length=2)
    region = models.CharField(_("region"), max_length=100, blank=True)
    organisation_type = models.CharField(_("type of organisation"), max_length=20, choices=ORGANISATION_TYPES)
    expertise = models.CharField(_("field of expertise"), max_length=200)
    description = models.JSONField(_("description, per language"), default=dict, blank=True)
    logo_png = models.BinaryField(_("logo (PNG)"), blank=True, default=b"", editable=True)
    website = models.URLField(_("web site"), blank=True)
    mou_signed = models.DateField(_("memorandum of understanding signed on"))
    identifier = models.CharField(_("DID or issuer URL"), max_length=255, blank=True)
    listed = models.BooleanField(_("shown in the public directory"), default=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("alliance member")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Endorsement(models.Model):
    """A verified OB 3.0 EndorsementCredential of a member, for an achievement or an issuer profile.

    Verified on upload (``alliance.accept_endorsement``) and again, at most every
    ``alliance.RECHECK_AFTER``, before it is embedded; ``state`` is the result of the last check.

    .. no_pii: an organisation's signed statement; uploaded_by is a staff username, as in AuditEvent.
    """

    ACHIEVEMENT, ISSUER = "achievement", "issuer"
    SUBJECTS = [(ACHIEVEMENT, _("micro-credential (achievement)")), (ISSUER, _("provider (issuer profile)"))]
    ACCEPTED, REVOKED, EXPIRED, SUSPENDED = "accepted", "revoked", "expired", "suspended"
    STATES = [
        (ACCEPTED, _("verified")),
        (REVOKED, _("revoked")),
        (SUSPENDED, _("suspended")),
        (EXPIRED, _("expired")),
    ]

    member = models.ForeignKey(AllianceMember, on_delete=models.PROTECT, related_name="endorsements")
    credential_id = models.CharField(max_length=255, unique=True)
    subject_kind = models.CharField(max_length=12, choices=SUBJECTS)
    subject_id = models.CharField(max_length=255, db_index=True)
    name = models.CharField(max_length=200)
    #: The signed credential as uploaded: a JSON object (Data Integrity) or a compact JWS string.
    document = models.JSONField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=STATES, default=ACCEPTED)
    state_reason = models.TextField(blank=True)
    checked_at = models.DateTimeField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("endorsement")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.member})"


class CredentialViews(models.Model):
    """How often a credential's public verification page was opened: the credential was shared.

    .. no_pii: a counter per credential.
    """

    credential = models.OneToOneField("microvet.IssuedCredential", on_delete=models.CASCADE, related_name="views")
    count = models.PositiveIntegerField(default=0)
    last_viewed = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("verification page views")

    def __str__(self) -> str:
        return f"{self.credential_id}: {self.count}"
