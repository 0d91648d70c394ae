"""Delivering a learner's credential into a wallet: OpenID4VCI 1.0 (pre-authorized code flow) and the
Learner Credential Wallet's VC-API exchange (docs/decisions/0015-oid4vci.md)."""
