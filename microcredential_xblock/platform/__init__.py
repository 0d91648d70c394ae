"""Open edX integration: plugin registration, event receivers, filter steps, Celery tasks, staff views.

Everything here runs only inside the LMS (or the test settings that mirror it); the service in
``microcredential_xblock.service`` never imports this package, so the demo needs no Open edX library.
"""
