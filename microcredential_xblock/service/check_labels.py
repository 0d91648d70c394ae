"""The verification page's names for the checks of ``badge_issuer.verify``, in the reader's language.

``badge_issuer`` is framework-free and names its checks in plain English for logs and the CLI; the
public page translates them here. A name this table does not know is shown as it is.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_LABELS = {
    "format": gettext_lazy("Format"),
    "json schema": gettext_lazy("Open Badges 3.0 schema"),
    "safe mode": gettext_lazy("Every term defined (JSON-LD)"),
    "validity period": gettext_lazy("Validity period"),
    "recipient": gettext_lazy("Recipient"),
    "proof present": gettext_lazy("Proof present"),
    "cryptosuite supported": gettext_lazy("Cryptosuite supported"),
    "proofPurpose assertionMethod": gettext_lazy("Proof made for issuing (assertionMethod)"),
    "verification method resolvable": gettext_lazy("Issuer's key found"),
    "controller is issuer": gettext_lazy("Key belongs to the issuer"),
    "key listed under assertionMethod": gettext_lazy("Key allowed to issue (assertionMethod)"),
    "key resolvable": gettext_lazy("Issuer's key found"),
    "signature valid": gettext_lazy("Signature valid"),
    "jwt well formed": gettext_lazy("Well-formed token"),
    "jwt header": gettext_lazy("Token header"),
    "jwt claims match credential": gettext_lazy("Token claims match the credential"),
    "status (revocation)": gettext_lazy("Not revoked (status list)"),
    "status (suspension)": gettext_lazy("Not suspended (status list)"),
}

#: How ``badge_issuer.verify`` names the checks of each proof format: "<prefix><check>".
_FORMATS = (
    ("data integrity: ", gettext_lazy("Data Integrity proof: %(check)s")),
    ("jwt: ", gettext_lazy("VC-JWT: %(check)s")),
)
_NUMBERED_PROOF = re.compile(r"proof\[(\d+)\] (.+)\Z")


def check_label(name: str) -> str:
    """``name`` of a check as the page shows it: "data integrity: signature valid" -> "Data Integrity proof:
    Signature valid" (translated)."""
    for prefix, label in _FORMATS:
        if name.startswith(prefix):
            return str(label) % {"check": check_label(name.removeprefix(prefix))}
    if numbered := _NUMBERED_PROOF.match(name):  # "proof[1] signature valid": a document with several proofs
        return _("Proof %(number)s: %(check)s") % {"number": int(numbered[1]) + 1, "check": check_label(numbered[2])}
    return str(_LABELS.get(name, name))
