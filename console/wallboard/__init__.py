"""The supervisor wallboard: live queues, agents, campaigns and alarms (a client only)."""
