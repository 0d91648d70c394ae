"""`make demo`: the XBlock workbench with the sample micro-credential, the service and development keys."""
