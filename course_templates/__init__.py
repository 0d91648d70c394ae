"""microVET course templates: sample course specs, the OLX generator and the course checker.

``generator.build_course(spec, out)`` turns a short YAML/JSON spec (docs/course-spec-format.md) into
an Open edX course archive; ``checker.check(path)`` validates an archive or an OLX folder.
"""
