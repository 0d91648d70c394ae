"""Admin: issuer profiles and definitions are editable; issued credentials and audit are read-only."""

from django.contrib import admin

from .admin_fields import URL_FIELDS
from .models import AuditEvent, IssuedCredential, IssuerProfile, MicroCredentialDefinition


@admin.register(IssuerProfile)
class IssuerProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "keys_name", "country", "region")
    formfield_overrides = URL_FIELDS


@admin.register(MicroCredentialDefinition)
class DefinitionAdmin(admin.ModelAdmin):
    list_display = ("usage_key", "course_key", "microcredential_id", "updated")
    readonly_fields = ("content_hash", "updated")
    search_fields = ("course_key", "usage_key", "microcredential_id")


class ReadOnly(admin.ModelAdmin):
    """Issued credentials are immutable snapshots: status changes go through service.api (audited)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IssuedCredential)
class IssuedCredentialAdmin(ReadOnly):
    list_display = ("uuid", "learner_id", "course_key", "state", "issued_at")
    list_filter = ("state",)
    search_fields = ("uuid", "learner_id", "course_key")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly):
    list_display = ("credential", "action", "actor", "at")


from . import alliance_admin  # noqa: E402, F401  (registers the alliance's admin)
