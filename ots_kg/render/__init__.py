"""Presentation only: query answers and validation reports as text, charts, the
documentation site. Everything here turns Terms and graphs into bytes for people or tools."""
