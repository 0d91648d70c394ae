"""Tables of the microVET service (docs/decisions/0004 and 0005 explain the design).

MariaDB has no partial unique indexes, so "one active credential per learner and micro-credential"
is the unique ``IssuanceClaim`` row, which points at the current credential and which re-issue
moves. Status-list indexes are unique ``StatusAllocation`` rows, so two concurrent issuances can
never share an index. Key material is never stored here: ``IssuerProfile.keys_name`` only names a
directory under ``settings.MICROVET["KEYS_DIR"]``.
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
    """The issuing organisation as shown in credentials; its keys live in files, not here."""

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
    """The registry the micro-credential block fills, so every block of the course can find it."""

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
    """A learner's best overall score on one assessment (for min_score and assessments_completed)."""

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
    """Best evidence for one learning outcome from one assessment; validated never goes back."""

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
    """One Bitstring Status List; ``signed`` is the published credential, re-signed on every change."""

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

    class Meta:
        verbose_name = _("issued credential")

    def __str__(self) -> str:
        return str(self.uuid)


class IssuanceClaim(models.Model):
    """Exactly one current credential per learner and micro-credential, enforced by unique keys."""

    learner_id = models.CharField(max_length=LEARNER_LEN)
    microcredential_id = models.CharField(max_length=KEY_LEN)
    #: Empty only inside the issuing transaction: the claim is inserted first so rivals wait on it.
    credential = models.OneToOneField(IssuedCredential, null=True, on_delete=models.PROTECT, related_name="claim")
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner_id", "microcredential_id"], name="microvet_claim_once")]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.microcredential_id}"


class StatusAllocation(models.Model):
    """An index handed out in a status list; the unique pair makes collisions impossible."""

    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="allocations")
    index = models.PositiveIntegerField()
    credential = models.ForeignKey(IssuedCredential, on_delete=models.PROTECT, related_name="allocations")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["status_list", "index"], name="microvet_status_index_once")]

    def __str__(self) -> str:
        return f"{self.status_list_id}#{self.index}"


class CoursePassing(models.Model):
    """The platform's latest word on whether a learner passed a course (for the course_passed rule)."""

    learner_id = models.CharField(max_length=LEARNER_LEN)
    course_key = models.CharField(max_length=KEY_LEN)
    passed = models.BooleanField(default=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner_id", "course_key"], name="microvet_passing_once")]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.course_key}: {self.passed}"


class AuditEvent(models.Model):
    """Who changed a credential's status, when, and why."""

    credential = models.ForeignKey(IssuedCredential, on_delete=models.PROTECT, related_name="audit")
    action = models.CharField(max_length=20)
    actor = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor}"


class AttemptCounter(models.Model):
    """Attempts a learner has used at one assessment: claimed by one conditional UPDATE (service/attempts.py).

    The XBlock's own user state cannot hold a limit: parallel requests each read the same count.
    """

    learner_id = models.CharField(max_length=LEARNER_LEN)
    usage_key = models.CharField(max_length=KEY_LEN)
    used = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner_id", "usage_key"], name="microvet_attempts_once")]

    def __str__(self) -> str:
        return f"{self.learner_id} @ {self.usage_key}: {self.used}"
