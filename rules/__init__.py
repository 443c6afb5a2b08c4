"""Declarative rules (YAML). This file only lets the folder install as package data."""
