"""Accessibility of the notes: the rules and what enforces and reports them.

``rules`` (every rule, its severity and message; no database), ``audit`` (run the rules over
stored pages, store ``AccessibilityFinding`` rows), ``signals`` (keep the findings in step with
edits), ``publishing`` (the publish gate) and ``publishing_admin`` (its admin messages),
``checker`` (Wagtail's in-browser content checker), ``report`` (the admin's Accessibility
report), ``wagtail_hooks`` (registers the gate, checker and report in the admin).
"""
