"""Cohort screening over flat registry tables (CSV/Parquet), columnar end to end.

``columns`` lays the patient model flat; ``validate`` types and checks each
column; ``sessions`` and ``derive`` compute session facts, runs and derived
measures with numpy/pandas; ``criteria`` (the only module that reads the rule
files) judges every criterion as a Kleene mask; ``partition`` is the pure
function of one partition; ``io``, ``flow`` and ``run`` read/write files, draw
the paper's Figure 1 and run on one machine (partitions at once on ``workers``) or on Dask.
"""
