"""Bulk import of responses (CSV, XLSX, KoboToolbox/ODK exports) and import templates."""
