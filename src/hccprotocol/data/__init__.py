"""Data shipped with the package: CTCAE v5.0 terms; protocol/ and rules/ are mapped here at install."""
