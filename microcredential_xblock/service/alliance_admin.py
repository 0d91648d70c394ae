"""Admin of the alliance: members are edited here; endorsements are uploaded here and verified first.

Every field is checked by ``alliance.member_problems`` / ``alliance.check_endorsement``, so the admin
refuses exactly what the service refuses, with the message next to the field at fault.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import alliance
from .admin_fields import URL_FIELDS, formfield
from .alliance_models import AllianceMember, Endorsement
from .errors import InvalidInput


class MemberForm(forms.ModelForm):
    """The member's fields, a PNG upload for the logo and one description box per platform language."""

    logo_file = forms.FileField(label=_("Logo (PNG, at most 256 KB)"), required=False)

    class Meta:
        model = AllianceMember
        formfield_callback = formfield
        fields = (
            "name",
            "country",
            "region",
            "organisation_type",
            "expertise",
            "website",
            "mou_signed",
            "identifier",
            "listed",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False  # checked by member_problems, with the service's message
        existing = self.instance.description if self.instance.pk else {}
        for code, name in alliance.language_names():
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description ({language})").format(language=name),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=existing.get(code, ""),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("logo_file")
        logo = upload.read(alliance.LOGO_MAX_BYTES + 1) if upload else bytes(self.instance.logo_png or b"")
        description = {
            code: data[f"description_{code}"].strip()
            for code, _name in alliance.language_names()
            if data.get(f"description_{code}", "").strip()
        }
        values = {**data, "description": description, "logo_png": logo}
        for field, reason in alliance.member_problems(values).items():
            self.add_error("logo_file" if field == "logo_png" else field if field in self.fields else None, reason)
        self.instance.description, self.instance.logo_png = description, logo
        return data


@admin.register(AllianceMember)
class AllianceMemberAdmin(admin.ModelAdmin):
    form = MemberForm
    formfield_overrides = URL_FIELDS
    list_display = ("name", "country", "organisation_type", "mou_signed", "listed")
    list_filter = ("organisation_type", "country", "listed")
    search_fields = ("name", "expertise")


class EndorsementUploadForm(forms.ModelForm):
    """Upload of a signed EndorsementCredential (JSON-LD file or compact JWS), verified before saving."""

    upload = forms.FileField(label=_("Signed endorsement (JSON-LD or JWS file)"))

    class Meta:
        model = Endorsement
        fields = ("member",)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        member, upload = data.get("member"), data.get("upload")
        if member is None or upload is None:
            return data
        try:
            checked = alliance.check_endorsement(member, upload.read(alliance.ENDORSEMENT_MAX_BYTES + 1))
        except InvalidInput as exc:
            raise forms.ValidationError(
                _("Refused: {field}: {reason}").format(field=exc.subject, reason=exc.reason)
            ) from None
        for name in (
            "credential_id",
            "subject_kind",
            "subject_id",
            "name",
            "document",
            "valid_from",
            "valid_until",
            "checked_at",
        ):
            setattr(self.instance, name, getattr(checked, name))
        return data


@admin.register(Endorsement)
class EndorsementAdmin(admin.ModelAdmin):
    """Endorsements are added by upload only; a stored one never changes (a recheck updates its state)."""

    list_display = ("name", "member", "subject_kind", "subject_id", "state", "valid_until", "checked_at")
    list_filter = ("state", "subject_kind")
    readonly_fields = ("credential_id", "subject_kind", "subject_id", "name", "state", "state_reason", "checked_at")
    actions = ["recheck_now"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = EndorsementUploadForm
            kwargs["fields"] = ("member", "upload")
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("member", "upload") if obj is None else (*self.readonly_fields, "member")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else (*self.readonly_fields, "member")

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        obj.uploaded_by = request.user.get_username()[:150]
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Check the selected endorsements again now"))
    def recheck_now(self, request, queryset) -> None:
        for endorsement in queryset:
            alliance.recheck(endorsement, force=True)
