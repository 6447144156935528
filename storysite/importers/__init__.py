"""Importers: outside formats (fan form exports, TimelineJS) → content files."""
