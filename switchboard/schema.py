"""Every table of every package on one metadata: what migrations are compared against."""

from __future__ import annotations

import customers.commerce_store
import customers.leads.store
import customers.profile_store
import customers.store
import customers.value_store
import knowledge.store
import routing.outbound.store
import routing.state_log
import routing.store
import switchboard.core.audit
import switchboard.core.outbox
import switchboard.tokens
import tickets.store
from switchboard.core.db import Base

metadata = Base.metadata

__all__ = ["customers", "knowledge", "metadata", "routing", "switchboard", "tickets"]
