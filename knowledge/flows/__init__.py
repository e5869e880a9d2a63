"""Call scripts ("flows"): YAML questionnaires that guide the agent through a call.

``model`` (the types), ``loader`` (YAML with line numbers), ``expressions`` (the safe expression
language and templates), ``check`` (``flows check``), ``library`` (versions in use), ``runner``
(running a flow step by step), ``stats`` (drop-off and outcomes). See ``docs/flows.md``.
"""
