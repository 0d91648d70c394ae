"""Django app "microvet": evidence, issuing rules, issuance exactly once, public credential URLs."""
