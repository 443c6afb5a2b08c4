"""Clinical measures derived from a patient record, each with its formula and source.

Why a package of small modules: each measure is checked by hand against a
published table, and a reviewer should find the formula, the cut-offs and
the source of one measure in one short file.
"""
