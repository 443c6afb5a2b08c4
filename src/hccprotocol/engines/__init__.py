"""Engines that read the protocol model: the reference evaluator (semantics), durable_rules, pandas.

Each is imported on its own (``hccprotocol.engines.durable`` loads the C extension,
``hccprotocol.engines.masks`` loads pandas); this package imports none of them.
"""
