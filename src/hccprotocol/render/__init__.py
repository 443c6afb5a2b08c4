"""Renderers: turn result models into what a person or another program reads."""
