"""microVET XBlocks and the Django app that stores evidence and issues credentials (docs/upper-floor.md)."""
