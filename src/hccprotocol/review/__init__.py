"""Clinician review: rule/option catalogue, scenario traceability, the review report and sign-off.

Why a package of its own: a hepatologist or pharmacist reviews the rules through the
scenarios that exercise them; nothing here decides anything about a patient.
"""
