"""The XBlocks: thin classes over pure modules (questions, OLX helpers) that are tested without a runtime."""
