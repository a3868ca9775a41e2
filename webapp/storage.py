"""Static files with hashed names, compressed, and ES module imports rewritten to them.

The Mini App's modules import each other (``import … from "./api.js"``): Django's
manifest storage rewrites those imports to the hashed names only when asked to, and
only hashed names are cached for ever (WhiteNoise) — so every module is.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]


class StaticStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
