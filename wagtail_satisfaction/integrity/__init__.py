"""Tamper evidence for stored responses (docs/integrity.md).

* ``keys``   – the keyring of seal keys (``WAGTAIL_SATISFACTION_SEAL_KEYS``), rotatable;
* ``seal``   – the canonical content of a response and its chained, keyed seal;
* ``verify`` – checks every seal, each campaign's chain and the daily tallies;
* ``tasks``  – the verification as a background task; ``views`` – its admin page.
"""
