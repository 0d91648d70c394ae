"""Tables of the microVET service (docs/decisions/0004 and 0005 explain the design).

MariaDB has no partial unique indexes, so "one current credential per learner and micro-credential"
is a unique key over (learner, micro-credential, ``current``), where ``current`` is True on the current
credential and NULL on those it replaced (NULLs never collide, on every database); re-issue moves the
True. A credential's status-list index is a unique (list, index) pair on the same row, so two concurrent
issuances can never share an index (docs/decisions/0020). Key material is never stored here:
``IssuerProfile.keys_name`` only names a directory under ``settings.MICROVET["KEYS_DIR"]``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Lengths chosen so every unique index stays below InnoDB's 3072-byte limit in utf8mb4.
LEARNER_LEN = 64
KEY_LEN = 255
OUTCOME_LEN = 100


class IssuerProfile(models.Model):
    """The issuing organisation as shown in credentials; its keys live in files, not here.

    .. no_pii: the issuing organisation's public contact details, not a person's.
    """

    keys_name = models.SlugField(
        _("key directory name"),
        max_length=64,
        unique=True,
        default="default",
        help_text=_("Directory under MICROVET['KEYS_DIR'] holding this issuer's keys."),
    )
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("web site"))
    email = models.EmailField(_("contact e-mail"), blank=True)
    country = models.CharField(_("country (ISO 3166-1 alpha-2)"), max_length=2)
    region = models.CharField(_("region"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("issuer profile")

    def __str__(self) -> str:
        return self.name


class MicroCredentialDefinition(models.Model):
    """The registry the micro-credential block fills, so every block of the course can find it.

    .. no_pii: authored course content.
    """

    course_key = models.CharField(max_length=KEY_LEN, db_index=True)
    usage_key = models.CharField(max_length=KEY_LEN, unique=True)
    microcredential_id = models.CharField(max_length=KEY_LEN, db_index=True)
    definition = models.JSONField()
    rules = models.JSONField()
    content_hash = models.CharField(max_length=64)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("micro-credential definition")

    def __str__(self) -> str:
        return self.usage_key


class AssessmentResult(models.Model):
    """A learner's best overall score on one assessment (for min_score and assessments_completed).

    .. pii: learner_id with the learner's scores (deleted when the platform retires the learner).
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    learner_id = models.CharField(max_length=LEARNER_LEN)
    course_key = models.CharField(max_length=KEY_LEN, db_index=True)
    usage_key = models.CharField(max_length=KEY_LEN)
    best_score = models.FloatField(default=0.0)
    max_score = models.FloatField(default=0.0)
    attempts = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner_id", "usage_key"], name="microvet_result_once")]

    def __str__(self) -> str:
        return f"{self.learner_id} @ {self.usage_key}"


class OutcomeEvidence(models.Model):
    """Best evidence for one learning outcome from one assessment; validated never goes back.

    .. pii: learner_id with the learner's evidence per outcome (deleted on retirement).
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    learner_id = models.CharField(max_length=LEARNER_LEN)
    course_key = models.CharField(max_length=KEY_LEN)
    assessment_usage_key = models.CharField(max_length=KEY_LEN)
    outcome_id = models.CharField(max_length=OUTCOME_LEN)
    best_fraction = models.FloatField(default=0.0)
    validated = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner_id", "assessment_usage_key", "outcome_id"], name="microvet_evidence_once"
            )
        ]
        indexes = [models.Index(fields=["learner_id", "course_key"], name="microvet_evidence_course")]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.outcome_id} @ {self.assessment_usage_key}"


class StatusList(models.Model):
    """One Bitstring Status List; ``signed`` is the published credential, re-signed on every change.

    .. no_pii: bits only; which bit belongs to whom is in IssuedCredential (status_list, status_index).
    """

    list_id = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=20)
    #: 1, 2, ... per purpose: a new list is made only as the successor of the full one.
    sequence = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    encoded = models.TextField()
    signed = models.JSONField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["purpose", "sequence"], name="microvet_list_sequence_once")]

    def __str__(self) -> str:
        return f"{self.list_id} ({self.purpose})"


class IssuedCredential(models.Model):
    """An immutable snapshot: the definition as it was, and the signed documents.

    The recipient's e-mail and name are kept because staff re-issue (after a name correction or to
    a learner-supplied DID) happens outside the learner's session, where the platform's user
    service is not at hand; the platform's own user table already holds the same e-mail, and no
    public view ever shows it (the credential carries only a salted hash).

    .. pii: recipient_email, recipient_name, subject_did; the signed copies (document, jwt) carry a salted
       hash of the e-mail and, with INCLUDE_NAME, the name. Erased on retirement (retired_at); learner_id,
       the platform's user id, and the status-list index are kept so the status still answers.
    .. pii_types: id, name, email_address, other
    .. pii_retirement: local_api
    """

    ACTIVE, SUSPENDED, REVOKED = "active", "suspended", "revoked"
    STATES = [(ACTIVE, _("active")), (SUSPENDED, _("suspended")), (REVOKED, _("revoked"))]

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner_id = models.CharField(max_length=LEARNER_LEN, db_index=True)
    recipient_email = models.EmailField(max_length=254)
    recipient_name = models.CharField(max_length=200, blank=True)
    subject_did = models.CharField(max_length=KEY_LEN, blank=True)
    course_key = models.CharField(max_length=KEY_LEN, db_index=True)
    usage_key = models.CharField(max_length=KEY_LEN)
    microcredential_id = models.CharField(max_length=KEY_LEN)
    #: The definition and rules as they were at issue time: later edits or deletion change nothing.
    definition_snapshot = models.JSONField()
    document = models.JSONField()
    jwt = models.TextField(blank=True)
    score_percent = models.FloatField(null=True, blank=True)
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=STATES, default=ACTIVE)
    suspended_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    #: Set when the platform retired the learner: e-mail, name, DID and signed copies are erased,
    #: the status-list index stays allocated so the credential's status still answers.
    retired_at = models.DateTimeField(null=True, blank=True)
    #: True on the learner's current credential for the micro-credential, NULL (never False) on every
    #: one a re-issue replaced. Revocation leaves it True: a revoked learner is not silently re-issued.
    current = models.BooleanField(null=True, default=True)
    #: The status-list index of the credential's one ``credentialStatus`` entry (ADR 0005). Set on
    #: every credential issued; nullable only so that migration 0006 could add it to existing rows.
    status_list = models.ForeignKey(StatusList, null=True, on_delete=models.PROTECT, related_name="credentials")
    status_index = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = _("issued credential")
        constraints = [
            models.UniqueConstraint(
                fields=["learner_id", "microcredential_id", "current"], name="microvet_one_current_credential"
            ),
            models.UniqueConstraint(fields=["status_list", "status_index"], name="microvet_one_credential_per_index"),
        ]

    def __str__(self) -> str:
        return str(self.uuid)


class CoursePassing(models.Model):
    """The platform's latest word on whether a learner passed a course (for the course_passed rule).

    .. pii: learner_id with the platform's passing verdict (deleted on retirement).
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    learner_id = models.CharField(max_length=LEARNER_LEN)
    course_key = models.CharField(max_length=KEY_LEN)
    passed = models.BooleanField(default=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner_id", "course_key"], name="microvet_passing_once")]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.course_key}: {self.passed}"


class AuditEvent(models.Model):
    """Who changed a credential's status, when, and why.

    .. no_pii: staff usernames and reasons about a credential; the learner appears only by user id.
    """

    credential = models.ForeignKey(IssuedCredential, on_delete=models.PROTECT, related_name="audit")
    action = models.CharField(max_length=20)
    actor = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor}"


class WalletOffer(models.Model):
    """A one-time offer of a learner's credential to a wallet (OID4VCI or the LCW VC-API exchange).

    Only SHA-256 hashes of the secrets are stored: the offer reference in the QR code, the
    pre-authorized code, the transaction code and the access token (docs/decisions/0015).

    .. pii: learner_id, the platform user id the offer is bound to (deleted when the learner is retired).
    .. pii_types: id
    .. pii_retirement: local_api
    """

    OID4VCI, VCAPI = "oid4vci", "vcapi"

    reference_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, unique=True)
    tx_code_hash = models.CharField(max_length=64, blank=True)
    tx_code_failures = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, default=OID4VCI)
    learner_id = models.CharField(max_length=LEARNER_LEN, db_index=True)
    microcredential_id = models.CharField(max_length=KEY_LEN)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    #: Set once, by the single UPDATE that wins the token exchange (or the LCW challenge).
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    #: Set once, by the single UPDATE that wins the credential request: one credential per offer.
    redeemed_at = models.DateTimeField(null=True, blank=True)
    credential = models.ForeignKey(
        IssuedCredential, null=True, blank=True, on_delete=models.PROTECT, related_name="wallet_offers"
    )

    class Meta:
        verbose_name = _("wallet offer")

    def __str__(self) -> str:
        return f"{self.kind} offer {self.pk} for {self.learner_id}"


class WalletNonce(models.Model):
    """A ``c_nonce`` (or an LCW challenge): single-use, short-lived, stored as its hash.

    .. no_pii: a hash with its expiry.
    """

    nonce_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"nonce {self.pk}"


class AttemptCounter(models.Model):
    """Attempts a learner has used at one assessment: claimed by one conditional UPDATE (service/attempts.py).

    The XBlock's own user state cannot hold a limit: parallel requests each read the same count.

    .. pii: learner_id with the number of attempts used (deleted when the platform retires the learner).
    .. pii_types: id
    .. pii_retirement: local_api
    """

    learner_id = models.CharField(max_length=LEARNER_LEN)
    usage_key = models.CharField(max_length=KEY_LEN)
    used = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner_id", "usage_key"], name="microvet_attempts_once")]

    def __str__(self) -> str:
        return f"{self.learner_id} @ {self.usage_key}: {self.used}"


from .alliance_models import AllianceMember, CredentialViews, Endorsement  # noqa: E402, F401  (the alliance tables)
