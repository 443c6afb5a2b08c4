"""The command modules of the CLI, one per command, apart from the engine packages.

Why apart: an engine package (``dosing``, ``course``, ``schedule``, ``eligibility``, ``cohort``) is
a library the public API and later services (FHIR, CDS Hooks) call; typer options, exit codes and
output files belong to the command line only. ``hccprotocol.cli`` imports these lazily.
"""
