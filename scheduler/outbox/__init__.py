"""The keyed, durable outbox: the only source of truth for what is sent."""
