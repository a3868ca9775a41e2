"""Services that change notes, one module per stage of the pipeline.

Callers import from the module that owns the behaviour, e.g.
``from notes.services.expiry import pending_confirmations_expire``.
"""
